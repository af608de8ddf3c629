package dytrain.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file read in parts yields exactly the documents of reading it whole, in the same order, for
 * every part size: each record belongs to the part it starts in, none is lost or read twice.
 */
class InputPartsTest {
  static final Configuration CONF = new Configuration();
  @TempDir Path dir;

  static final String TEXT = "\n\nIn the beginning\r\nGod created\n\n \t\n\nthe heaven\n\n\n"
      + "and the earth.\nAnd the earth was ünïcödé,\n\n\u3000\n\nwithout form\n \nvoid\n\nAmen";

  static final String JSONL = "{\"text\": \"one\"}\n\n{\"text\": \"two ü\"}\r\n{\"text\": \"\"}\n"
      + "{\"text\": \"three\", \"id\": 3}\n{\"text\": \"four\"}";

  /** Documents (pieces joined) of every part of {@code file} cut every {@code splitBytes}, in part order. */
  static List<String> documents(Path file, DocSplit split, long splitBytes) throws Exception {
    InputFile whole = new InputFile(0, file.toString(), Files.size(file), InputFormat.of(file.getFileName().toString()));
    List<String> docs = new ArrayList<>();
    for (InputFile part : InputSplits.split(List.of(whole), split, splitBytes, CONF)) {
      RecordCounts counts = new RecordCounts(part.path(), BadRecordPolicy.FAIL);
      try (DocumentReader reader = DocumentReader.open(part, split, "text", CONF, counts)) {
        StringBuilder doc = new StringBuilder();
        for (DocPiece p; (p = reader.next()) != null; ) {
          doc.append(p.text());
          if (p.last()) {
            docs.add(doc.toString());
            doc.setLength(0);
          }
        }
      }
    }
    return docs;
  }

  void assertPartsReadLikeTheWhole(String name, String content, DocSplit split) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    List<String> whole = documents(file, split, 0);
    assertTrue(whole.size() >= 4, whole.toString());
    for (long size = 1; size <= Files.size(file); size++) {
      assertEquals(whole, documents(file, split, size), split + " in parts of " + size + " bytes");
    }
  }

  @Test
  void blankLineDocumentsAreNeitherLostNorDuplicatedAtAnyCut() throws Exception {
    assertPartsReadLikeTheWhole("a.txt", TEXT, DocSplit.BLANKLINE);
  }

  @Test
  void lineDocumentsAreNeitherLostNorDuplicatedAtAnyCut() throws Exception {
    assertPartsReadLikeTheWhole("a.txt", TEXT, DocSplit.LINE);
  }

  @Test
  void jsonLinesAreNeitherLostNorDuplicatedAtAnyCut() throws Exception {
    assertPartsReadLikeTheWhole("a.jsonl", JSONL, DocSplit.BLANKLINE);
  }

  @Test
  void onlyLargeUncompressedSplittableFilesAreCut() throws Exception {
    InputFile text = new InputFile(0, "/x/a.txt", 100, InputFormat.TEXT);
    InputFile gz = new InputFile(1, "/x/b.txt.gz", 100, InputFormat.TEXT);
    InputFile parquet = new InputFile(2, "/x/c.parquet", 100, InputFormat.PARQUET);
    InputFile small = new InputFile(3, "/x/d.jsonl", 30, InputFormat.JSONL);
    List<InputFile> parts = InputSplits.split(List.of(text, gz, parquet, small), DocSplit.BLANKLINE, 40, CONF);
    assertEquals(List.of("/x/a.txt", "/x/a.txt", "/x/a.txt", "/x/b.txt.gz", "/x/c.parquet", "/x/d.jsonl"),
        parts.stream().map(InputFile::path).toList());
    assertEquals(List.of(0L, 40L, 80L), parts.subList(0, 3).stream().map(InputFile::start).toList());
    assertEquals(List.of(0, 1, 2, 3, 4, 5), parts.stream().map(InputFile::index).toList());
    assertEquals(1, InputSplits.split(List.of(text), DocSplit.FILE, 40, CONF).size(), "file documents are never cut");
  }

  @Test
  void aBadRecordInALaterPartIsNamedByItsLineInTheFile() throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": \"c\"}\n{\"text\": \"d\"}\n{\"text\": oops}\n");
    InputFile whole = new InputFile(0, file.toString(), Files.size(file), InputFormat.JSONL);
    List<InputFile> parts = InputSplits.split(List.of(whole), DocSplit.BLANKLINE, 30, CONF);
    long badLine = Files.readString(file).indexOf("{\"text\": oops}");
    InputFile last = parts.stream().filter(p -> p.start() <= badLine && badLine < p.end()).findFirst().orElseThrow();
    assertTrue(last.start() > 0, "the bad line lies in a later part");
    var e = assertThrows(DytrainException.class, () -> {
      try (DocumentReader reader = DocumentReader.open(last, DocSplit.BLANKLINE, "text", CONF,
          new RecordCounts(file.toString(), BadRecordPolicy.FAIL))) {
        while (reader.next() != null) {}
      }
    });
    assertTrue(e.getMessage().contains("line 5") && e.getMessage().contains("bad.jsonl"), e.getMessage());

    RecordCounts skipping = new RecordCounts(file.toString(), BadRecordPolicy.SKIP);
    List<String> texts = new ArrayList<>();
    try (DocumentReader reader = DocumentReader.open(last, DocSplit.BLANKLINE, "text", CONF, skipping)) {
      for (DocPiece p; (p = reader.next()) != null; ) texts.add(p.text());
    }
    assertEquals(1, skipping.skipped);
    assertEquals(List.of("d"), texts, "the part owns line 4 (it starts inside line 3) and line 5");
  }

  @Test
  void aLineOfSpacesTooLongToHandOutWholeIsNotABlankLineWhereverAPartStarts() throws Exception {
    Path file = dir.resolve("spaces.txt");
    int spaces = DocumentReader.TEXT_LINE_BYTES + 1000; // cut into pieces, so part of a document, not a separator
    byte[] bytes = ("A\n" + " ".repeat(spaces) + "\nB\n\nC\n").getBytes(StandardCharsets.UTF_8);
    Files.write(file, bytes);
    List<String> whole = documents(file, DocSplit.BLANKLINE, 0);
    assertEquals(2, whole.size(), "A, the spaces and B are one document; C another");
    for (long size : new long[] {1 << 20, 3 << 20, spaces / 2 + 1, spaces - 10, spaces + 1}) {
      assertEquals(whole, documents(file, DocSplit.BLANKLINE, size), "parts of " + size);
    }
  }

  @Test
  void aPartStartingInsideAVeryLongLineSkipsItWhole() throws Exception {
    Path file = dir.resolve("long.txt");
    String longLine = "x".repeat(3000);
    Files.write(file, ("first\n\n" + longLine + "\n" + longLine + "\n\nlast\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("first", longLine + "\n" + longLine, "last"), documents(file, DocSplit.BLANKLINE, 0));
    for (long size : new long[] {1000, 2999, 3001, 4000}) {
      assertEquals(documents(file, DocSplit.BLANKLINE, 0), documents(file, DocSplit.BLANKLINE, size), "parts of " + size);
    }
  }
}
