package dytrain.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentReaderTest {

  static List<DocPiece> read(byte[] bytes, DocSplit split, RecordCounts counts) throws Exception {
    List<DocPiece> out = new ArrayList<>();
    try (TextDocuments docs =
        new TextDocuments(new Utf8LineReader(new ByteArrayInputStream(bytes), 8 << 20, counts), split)) {
      for (DocPiece p; (p = docs.next()) != null; ) out.add(p);
    }
    return out;
  }

  static List<String> texts(String text, DocSplit split) throws Exception {
    return read(text.getBytes(StandardCharsets.UTF_8), split, new RecordCounts("t", BadRecordPolicy.FAIL))
        .stream().map(DocPiece::text).toList();
  }

  @Test
  void blanklineSplitsOnRunsOfBlankLines() throws Exception {
    assertEquals(
        List.of("a\nb", "c", "d  e"),
        texts("\n\na\r\nb\n\n \t\n\nc\n\nd  e\n\n", DocSplit.BLANKLINE));
  }

  @Test
  void lineSplitMakesEachNonBlankLineADocument() throws Exception {
    assertEquals(List.of("one", "two", "three"), texts("one\n\ntwo\r\nthree", DocSplit.LINE));
  }

  @Test
  void fileSplitKeepsInnerBlankLines() throws Exception {
    assertEquals(List.of("a\n\nb"), texts("a\n\nb\n", DocSplit.FILE));
    assertEquals(List.of(), texts("\n \n", DocSplit.FILE));
  }

  @Test
  void documentNumbersCountUpFromZero() throws Exception {
    List<DocPiece> pieces =
        read("x\n\ny\n\nz".getBytes(StandardCharsets.UTF_8), DocSplit.BLANKLINE, new RecordCounts("t", BadRecordPolicy.FAIL));
    assertEquals(List.of(0L, 1L, 2L), pieces.stream().map(DocPiece::doc).toList());
    assertTrue(pieces.stream().allMatch(DocPiece::last));
  }

  @Test
  void invalidUtf8IsReplacedAndCountedPerLine() throws Exception {
    byte[] bytes = {'o', 'k', '\n', (byte) 0xff, 'a', '\n', 'b', (byte) 0xc3, '\n', (byte) 0xc3, (byte) 0xa9};
    RecordCounts counts = new RecordCounts("t", BadRecordPolicy.FAIL);
    List<DocPiece> pieces = read(bytes, DocSplit.LINE, counts);
    assertEquals(List.of("ok", "\uFFFDa", "b\uFFFD", "é"), pieces.stream().map(DocPiece::text).toList());
    assertEquals(2, counts.invalidUtf8);
  }

  @Test
  void hugeLineComesInPiecesThatJoinBackExactly() throws Exception {
    String big = "é".repeat(3_000_000) + "end"; // 6 MB of 2-byte characters on one line
    RecordCounts counts = new RecordCounts("t", BadRecordPolicy.FAIL);
    List<DocPiece> pieces;
    try (TextDocuments docs =
        new TextDocuments(
            new Utf8LineReader(new ByteArrayInputStream((big + "\nnext").getBytes(StandardCharsets.UTF_8)), 1 << 20, counts),
            DocSplit.LINE)) {
      pieces = new ArrayList<>();
      for (DocPiece p; (p = docs.next()) != null; ) pieces.add(p);
    }
    List<DocPiece> first = pieces.stream().filter(p -> p.doc() == 0).toList();
    assertTrue(first.size() >= 3, "a 6 MB line must arrive in several pieces, got " + first.size());
    assertTrue(first.stream().allMatch(p -> p.text().length() <= DocumentReader.PIECE_CHARS + (1 << 17)));
    assertEquals(big, String.join("", first.stream().map(DocPiece::text).toList()));
    assertEquals(0, counts.invalidUtf8, "cuts must fall between characters");
    assertEquals("next", pieces.get(pieces.size() - 1).text());
  }
}
