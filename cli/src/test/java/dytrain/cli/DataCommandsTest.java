package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer train, prep, shards inspect/decode through the command line: exit codes and messages. */
class DataCommandsTest {
  @TempDir Path dir;

  static CommandLineTest.Run run(String... args) {
    return CommandLineTest.run(args);
  }

  @Test
  void trainPrepInspectDecodeRoundTripsADocument() throws Exception {
    Path corpus = dir.resolve("corpus.txt");
    Files.writeString(corpus, "First chapter, first verse.\nSecond verse: ünïcödé.\n\nSecond chapter.\n\nThird chapter ends here.\n");
    Path tok = dir.resolve("tok.json");
    CommandLineTest.Run train = run("tokenizer", "train", "--master", "local[2]", "--input", corpus.toString(), "--vocab-size", "280", "--output", tok.toString());
    assertEquals(0, train.exit(), train.err());
    assertTrue(train.out().contains("vocab 280"), train.out());

    Path out = dir.resolve("ds");
    CommandLineTest.Run prep = run("prep", "--master", "local[2]", "--input", corpus.toString(), "--output", out.toString(), "--tokenizer", tok.toString());
    assertEquals(0, prep.exit(), prep.err());
    assertTrue(prep.out().contains("3 documents"), prep.out());

    CommandLineTest.Run inspect = run("shards", "inspect", out.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    assertTrue(inspect.out().contains("3 documents") && inspect.out().contains("valid"), inspect.out());

    Path moved = dir.resolve("elsewhere.json");
    Files.move(tok, moved); // the dataset's own copy of the tokenizer decodes it
    CommandLineTest.Run decode = run("shards", "decode", out.toString(), "--doc", "0");
    assertEquals(0, decode.exit(), decode.err());
    assertEquals("First chapter, first verse.\nSecond verse: ünïcödé.\n", decode.out());
    Files.move(moved, tok);

    CommandLineTest.Run again = run("prep", "--master", "local[2]", "--input", corpus.toString(), "--output", out.toString(), "--tokenizer", tok.toString());
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.err().contains("already complete"), again.err());
  }

  @Test
  void corruptedShardFailsInspectWithExitTwo() throws Exception {
    Path corpus = dir.resolve("c.txt");
    Files.writeString(corpus, "one doc\n\nanother doc\n");
    Path out = dir.resolve("ds");
    assertEquals(0, run("prep", "--master", "local[2]", "--input", corpus.toString(), "--output", out.toString(), "--tokenizer", "byte").exit());
    try (RandomAccessFile f = new RandomAccessFile(out.resolve("train-00000-0000.parquet").toFile(), "rw")) {
      f.setLength(f.length() - 10); // cut the footer
    }
    CommandLineTest.Run inspect = run("shards", "inspect", out.toString());
    assertEquals(2, inspect.exit());
    assertTrue(inspect.out().contains("PROBLEM shard train-00000-0000.parquet"), inspect.out());
    assertTrue(inspect.err().contains("failed validation"), inspect.err());
  }

  @Test
  void badInputExitsTwoWithFileAndLineAndNoManifest() throws Exception {
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"text\": \"fine\"}\n{\"text\": broken\n");
    Path out = dir.resolve("ds");
    CommandLineTest.Run prep = run("prep", "--master", "local[2]", "--input", bad.toString(), "--output", out.toString(), "--tokenizer", "gpt2");
    assertEquals(2, prep.exit());
    assertTrue(prep.err().contains("bad.jsonl line 2: malformed JSON"), prep.err());
    assertFalse(Files.exists(out.resolve("manifest.json")));
    CommandLineTest.Run inspect = run("shards", "inspect", out.toString());
    assertEquals(2, inspect.exit());
    assertTrue(inspect.err().contains("no manifest.json"), inspect.err());
  }

  @Test
  void unknownDocumentIsAUserError() throws Exception {
    Path corpus = dir.resolve("c.txt");
    Files.writeString(corpus, "only doc\n");
    Path out = dir.resolve("ds");
    assertEquals(0, run("prep", "--master", "local[2]", "--input", corpus.toString(), "--output", out.toString(), "--tokenizer", "gpt2").exit());
    CommandLineTest.Run decode = run("shards", "decode", out.toString(), "--doc", "5");
    assertEquals(2, decode.exit());
    assertTrue(decode.err().contains("--doc 5: no such document"), decode.err());
  }
}
