package dytrain.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import dytrain.data.Manifest;
import dytrain.data.TokenDataset;
import dytrain.data.TokenRow;
import dytrain.data.TokenShardReader;
import dytrain.tokenizer.BpeLearner;
import dytrain.tokenizer.Tokenizer;
import dytrain.tokenizer.Tokenizers;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input formats and every kind of bad input: each gives a message naming it, and no manifest. */
class PrepInputsTest {
  static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  Path out() {
    return dir.resolve("out");
  }

  PrepSettings settings(Path... inputs) {
    return PrepSettings.of(Arrays.stream(inputs).map(Path::toString).toList(), out().toString(), "gpt2");
  }

  /** Decoded documents of the train split, EOS removed, in order. */
  List<String> documents(Tokenizer tokenizer) throws Exception {
    TokenDataset ds = TokenDataset.open(out().toString(), new Configuration());
    List<String> docs = new ArrayList<>();
    for (Manifest.Shard shard : ds.manifest().split("train").shards()) {
      try (TokenShardReader r = ds.openShard(shard)) {
        for (TokenRow row; (row = r.next()) != null; ) {
          int[] t = row.tokens();
          docs.add(tokenizer.decode(Arrays.copyOf(t, t.length - 1)));
        }
      }
    }
    return docs;
  }

  DytrainException prepFails(PrepSettings s) {
    DytrainException e = assertThrows(DytrainException.class, () -> PrepJob.run(s, spark));
    assertFalse(Files.exists(out().resolve("manifest.json")), "a failed prep must leave no manifest");
    return e;
  }

  static void assertMentions(DytrainException e, String... parts) {
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
  }

  void writeParquet(Path file, String... texts) throws Exception {
    MessageType schema = MessageTypeParser.parseMessageType("message doc { optional int64 id; optional binary text (STRING); }");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri())).withType(schema).build()) {
      long id = 0;
      for (String t : texts) {
        Group g = groups.newGroup().append("id", id++);
        if (t != null) g.append("text", t);
        w.write(g);
      }
    }
  }

  @Test
  void readsJsonlGzipTextAndParquetInOneDataset() throws Exception {
    Files.writeString(dir.resolve("a.jsonl"), "{\"text\": \"first json doc\", \"id\": 1}\n\n{\"text\": \"naïve 中文 🎉\"}\n");
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("b.txt.gz")))) {
      gz.write("gzip doc one\n\ngzip doc two\n".getBytes(StandardCharsets.UTF_8));
    }
    writeParquet(dir.resolve("c.parquet"), "parquet doc", "another parquet doc");
    PrepJob.run(settings(dir.resolve("a.jsonl"), dir.resolve("b.txt.gz"), dir.resolve("c.parquet")), spark);
    assertEquals(
        List.of("first json doc", "naïve 中文 🎉", "gzip doc one", "gzip doc two", "parquet doc", "another parquet doc"),
        documents(Tokenizers.load("gpt2")));
  }

  /** The format comes from the name under the compression suffix: a .jsonl.bz2 is JSON lines, not text. */
  @Test
  void readsBzip2CompressedJsonLines() throws Exception {
    BZip2Codec bzip2 = new BZip2Codec();
    bzip2.setConf(new Configuration());
    try (OutputStream out = bzip2.createOutputStream(Files.newOutputStream(dir.resolve("d.jsonl.bz2")))) {
      out.write("{\"text\": \"bzip2 json doc\"}\n{\"text\": \"another\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    PrepJob.run(settings(dir.resolve("d.jsonl.bz2")), spark);
    assertEquals(List.of("bzip2 json doc", "another"), documents(Tokenizers.load("gpt2")));
  }

  @Test
  void globSelectsMatchingFilesOnly() throws Exception {
    Files.writeString(dir.resolve("x1.txt"), "one");
    Files.writeString(dir.resolve("x2.txt"), "two");
    Files.writeString(dir.resolve("y.txt"), "not me");
    PrepJob.run(PrepSettings.of(List.of(dir.resolve("x*.txt").toString()), out().toString(), "gpt2"), spark);
    assertEquals(List.of("one", "two"), documents(Tokenizers.load("gpt2")));
  }

  @Test
  void missingInputIsNamed() {
    assertMentions(prepFails(settings(dir.resolve("nope.txt"))), "nope.txt", "no such file");
  }

  @Test
  void globMatchingNothingIsNamed() {
    assertMentions(prepFails(settings(dir.resolve("*.nothing"))), "*.nothing", "matches no files");
  }

  @Test
  void emptyCorpusIsRefused() throws Exception {
    Files.writeString(dir.resolve("blank.txt"), "\n   \n\n");
    assertMentions(prepFails(settings(dir.resolve("blank.txt"))), "no documents", "blank.txt");
  }

  @Test
  void malformedJsonLineNamesFileAndLine() throws Exception {
    Files.writeString(dir.resolve("bad.jsonl"), "{\"text\": \"ok\"}\n{\"text\": \"fine\"}\n{\"text\": oops}\n");
    assertMentions(prepFails(settings(dir.resolve("bad.jsonl"))), "bad.jsonl line 3", "malformed JSON", "--on-bad-record");
  }

  @Test
  void missingTextFieldNamesFileLineAndField() throws Exception {
    Files.writeString(dir.resolve("nofield.jsonl"), "{\"text\": \"ok\"}\n{\"body\": \"wrong field\"}\n");
    assertMentions(prepFails(settings(dir.resolve("nofield.jsonl"))), "nofield.jsonl line 2", "no string field \"text\"");
  }

  @Test
  void skippedBadRecordsAreCountedInManifest() throws Exception {
    Files.writeString(dir.resolve("mixed.jsonl"), "{\"text\": \"kept\"}\n{oops\n{\"body\": 1}\n{\"text\": \"x\"} junk\n{\"text\": \"also kept\"}\n");
    PrepJob.PrepResult r = PrepJob.run(settings(dir.resolve("mixed.jsonl")).withOnBadRecord(BadRecordPolicy.SKIP), spark);
    assertEquals(3, r.manifest().totals().skippedRecords());
    assertEquals(2, r.manifest().totals().documents());
    assertEquals(List.of("kept", "also kept"), documents(Tokenizers.load("gpt2")));
  }

  @Test
  void invalidUtf8IsReplacedAndCounted() throws Exception {
    Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n', '\n', 'o', 'k'});
    PrepJob.PrepResult r = PrepJob.run(settings(dir.resolve("latin1.txt")), spark);
    assertEquals(1, r.manifest().totals().invalidUtf8Records());
    assertEquals(List.of("caf\uFFFD", "ok"), documents(Tokenizers.load("gpt2")));
  }

  @Test
  void parquetTextFieldIsReadAndItsInvalidUtf8ReplacedAndCounted() throws Exception {
    MessageType schema = MessageTypeParser.parseMessageType("message doc { optional binary body; optional binary text (STRING); }");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(dir.resolve("bodies.parquet").toUri())).withType(schema).build()) {
      w.write(groups.newGroup().append("body", "first body").append("text", "not this column"));
      w.write(groups.newGroup().append("body", Binary.fromConstantByteArray(new byte[] {'c', 'a', 'f', (byte) 0xe9})));
    }
    PrepJob.PrepResult r = PrepJob.run(settings(dir.resolve("bodies.parquet")).withTextField("body"), spark);
    assertEquals(1, r.manifest().totals().invalidUtf8Records());
    assertEquals(List.of("first body", "caf\uFFFD"), documents(Tokenizers.load("gpt2")));
  }

  @Test
  void jsonlTextFieldIsRead() throws Exception {
    Files.writeString(dir.resolve("c.jsonl"), "{\"content\": \"from content\", \"text\": \"not this\"}\n");
    PrepJob.run(settings(dir.resolve("c.jsonl")).withTextField("content"), spark);
    assertEquals(List.of("from content"), documents(Tokenizers.load("gpt2")));
  }

  @Test
  void corruptGzipNamesTheFile() throws Exception {
    Files.writeString(dir.resolve("fake.txt.gz"), "this is not gzip data at all");
    assertMentions(prepFails(settings(dir.resolve("fake.txt.gz"))), "fake.txt.gz");
  }

  @Test
  void parquetWithoutTextColumnListsColumns() throws Exception {
    writeParquet(dir.resolve("p.parquet"), "x");
    assertMentions(
        prepFails(settings(dir.resolve("p.parquet")).withTextField("body")), "p.parquet", "no string column \"body\"", "[id, text]");
  }

  @Test
  void nullParquetTextIsABadRecord() throws Exception {
    writeParquet(dir.resolve("n.parquet"), "x", null);
    assertMentions(prepFails(settings(dir.resolve("n.parquet"))), "n.parquet row 2", "is null");
  }

  @Test
  void malformedTokenizerJsonIsNamed() throws Exception {
    Files.writeString(dir.resolve("doc.txt"), "text");
    Files.writeString(dir.resolve("tok.json"), "{ \"model\": ");
    assertMentions(
        prepFails(settings(dir.resolve("doc.txt")).withTokenizer(dir.resolve("tok.json").toString())), "tok.json", "not valid JSON");
  }

  @Test
  void outputFolderHoldingOtherFilesIsRefused() throws Exception {
    Files.writeString(dir.resolve("doc.txt"), "text");
    Files.createDirectories(out());
    Files.writeString(out().resolve("notes.md"), "mine");
    assertMentions(prepFails(settings(dir.resolve("doc.txt"))), "notes.md", "prep did not write");
    assertTrue(Files.exists(out().resolve("notes.md")), "never delete a user's files");
  }

  @Test
  void otherSettingsOnFinishedDatasetNeedOverwrite() throws Exception {
    Files.writeString(dir.resolve("doc.txt"), "text\n\nmore text\n\nand more");
    PrepJob.run(settings(dir.resolve("doc.txt")), spark);
    DytrainException e =
        assertThrows(DytrainException.class, () -> PrepJob.run(settings(dir.resolve("doc.txt")).withValFraction(0.5), spark));
    assertMentions(e, "other settings: --val-fraction (was ", "now 0.5)", "--overwrite");
    PrepJob.PrepResult r = PrepJob.run(settings(dir.resolve("doc.txt")).withValFraction(0.5).withOverwrite(true), spark);
    assertEquals(0.5, r.manifest().prep().valFraction());
  }

  /** A run that failed before finishing any input leaves nothing to protect: a fixed command just runs. */
  @Test
  void rerunWithOtherSettingsAfterAFailedRunNeedsNoOverwrite() throws Exception {
    Files.writeString(dir.resolve("docs.jsonl"), "{\"body\": \"first\"}\n{\"body\": \"second\"}\n");
    assertMentions(prepFails(settings(dir.resolve("docs.jsonl"))), "docs.jsonl", "text");
    PrepJob.PrepResult r = PrepJob.run(settings(dir.resolve("docs.jsonl")).withTextField("body"), spark);
    assertEquals("body", r.manifest().prep().textField());
    assertEquals(List.of("first", "second"), documents(Tokenizers.load("gpt2")));
  }

  /** Clearing a failed run's work spares the tokenizer.json the rerun reads, even inside the output folder. */
  @Test
  void rerunAfterAFailedRunKeepsTheTokenizerItReadsFromTheOutputFolder() throws Exception {
    Files.writeString(dir.resolve("docs.jsonl"), "{\"body\": \"hello hello\"}\n");
    Path tokenizer = Files.createDirectories(out()).resolve("tokenizer.json");
    Tokenizers.save(BpeLearner.learn(Map.of("hello", 5L), 260, "bpe", merges -> {}), tokenizer);
    PrepSettings failing = settings(dir.resolve("docs.jsonl")).withTokenizer(tokenizer.toString());
    assertMentions(prepFails(failing), "docs.jsonl", "text");
    PrepJob.run(failing.withTextField("body"), spark);
    assertEquals(List.of("hello hello"), documents(Tokenizers.load(tokenizer.toString())));
  }

  @Test
  void badFlagValuesAreRefusedBeforeSparkRuns() {
    DytrainException e = assertThrows(DytrainException.class, () -> settings(dir).withValFraction(1.5));
    assertMentions(e, "--val-fraction 1.5");
    assertMentions(assertThrows(DytrainException.class, () -> DocSplit.parse("para")), "--doc-split para");
  }

  @Test
  void withoutAppendEosDocumentsEndWithTheirOwnLastToken() throws Exception {
    Files.writeString(dir.resolve("d.txt"), "alpha beta\n\ngamma");
    var r = PrepJob.run(settings(dir.resolve("d.txt")).withAppendEos(false), spark);
    Tokenizer gpt2 = Tokenizers.load("gpt2");
    assertEquals(gpt2.encode("alpha beta").length + gpt2.encode("gamma").length, r.manifest().totals().tokens());
  }

  @Test
  void seedChoosesTheValidationDocuments() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 200; i++) text.append("document number ").append(i).append("\n\n");
    Files.writeString(dir.resolve("many.txt"), text);
    var base = settings(dir.resolve("many.txt")).withValFraction(0.3).withOverwrite(true);
    List<String> seven = valDocuments(base.withSeed(7));
    assertEquals(seven, valDocuments(base.withSeed(7)), "the same seed picks the same documents");
    List<String> eight = valDocuments(base.withSeed(8));
    assertTrue(seven.size() > 30 && eight.size() > 30, seven.size() + ", " + eight.size());
    assertTrue(!seven.equals(eight), "another seed picks other documents");
  }

  @Test
  void hadoopUriInputIsRead() throws Exception {
    Files.writeString(dir.resolve("uri.txt"), "read through a file: URI");
    PrepJob.run(PrepSettings.of(List.of(dir.resolve("uri.txt").toUri().toString()), out().toUri().toString(), "gpt2"), spark);
    assertEquals(List.of("read through a file: URI"), documents(Tokenizers.load("gpt2")));
  }

  private List<String> valDocuments(PrepSettings s) throws Exception {
    PrepJob.run(s, spark);
    TokenDataset ds = TokenDataset.open(out().toString(), new Configuration());
    Tokenizer gpt2 = Tokenizers.load("gpt2");
    List<String> docs = new ArrayList<>();
    for (Manifest.Shard shard : ds.manifest().split("val").shards()) {
      try (TokenShardReader r = ds.openShard(shard)) {
        for (TokenRow row; (row = r.next()) != null; ) docs.add(gpt2.decode(row.tokens()));
      }
    }
    return docs;
  }

  @Test
  void folderInputReadsNestedFilesAndSkipsHiddenOnes() throws Exception {
    Path folder = dir.resolve("corpus");
    Files.createDirectories(folder.resolve("b/deeper"));
    Files.createDirectories(folder.resolve("_temporary"));
    Files.createDirectories(folder.resolve(".cache"));
    Files.writeString(folder.resolve("a.txt"), "top level");
    Files.writeString(folder.resolve("b/deeper/c.txt"), "two levels down");
    Files.writeString(folder.resolve("_SUCCESS"), "marker");
    Files.writeString(folder.resolve(".a.txt.crc"), "checksum");
    Files.writeString(folder.resolve("_temporary/part.txt"), "half written");
    Files.writeString(folder.resolve(".cache/x.txt"), "cached");
    List<InputFile> files = InputListing.list(List.of(folder.toString()), new Configuration());
    assertEquals(List.of("a.txt", "c.txt"), files.stream().map(f -> new org.apache.hadoop.fs.Path(f.path()).getName()).toList());
    PrepJob.run(settings(folder), spark);
    assertEquals(List.of("top level", "two levels down"), documents(Tokenizers.load("gpt2")));
  }
}
