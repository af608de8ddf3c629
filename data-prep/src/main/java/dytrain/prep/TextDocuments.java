package dytrain.prep;

import java.io.IOException;

/**
 * Plain text cut into documents by {@link DocSplit}. Lines of a document are joined with '\n'; line ends
 * ("\r\n" or '\n') and the blank lines between documents are not part of any document.
 */
final class TextDocuments implements DocumentReader {
  private final Utf8LineReader lines;
  private final DocSplit split;
  private final StringBuilder text = new StringBuilder();
  private long doc;
  private boolean open; // a document has started and not been finished
  private boolean sawText; // some of the open document was already handed out as a piece
  private boolean done;
  /** A document starting at or after this byte belongs to the next part of the file. */
  private final long end;
  /** True while reading the tail of a document that began in the previous part. */
  private boolean skipping;

  TextDocuments(Utf8LineReader lines, DocSplit split) {
    this(lines, split, Long.MAX_VALUE, false);
  }

  /** The documents that start before byte {@code end}; {@code insideDocument}: the first lines end one begun earlier. */
  TextDocuments(Utf8LineReader lines, DocSplit split, long end, boolean insideDocument) {
    this.lines = lines;
    this.split = split;
    this.end = end;
    this.skipping = insideDocument;
  }

  @Override
  public DocPiece next() throws IOException {
    while (!done) {
      String line = lines.readLine();
      if (line == null) {
        done = true;
        if (open && (split != DocSplit.FILE || !isBlankSoFar())) {
          return finish();
        }
        return null;
      }
      boolean newLine = !lines.isContinuation();
      boolean blank = newLine && !lines.continues() && line.isBlank();
      if (skipping) {
        skipping = !blank; // a blank line ends the previous part's document
        continue;
      }
      if (!open && !blank && newLine && lines.lineStart() >= end) {
        done = true; // this document starts in the next part
        return null;
      }
      if (blank && split != DocSplit.FILE) {
        if (open) {
          return finish(); // a blank line ends the document (blankline); line mode never gets here open
        }
        continue;
      }
      if (open && newLine) {
        text.append('\n');
      }
      text.append(line);
      open = true;
      if (split == DocSplit.LINE && !lines.continues()) {
        return finish();
      }
      if (text.length() >= PIECE_CHARS) {
        DocPiece piece = new DocPiece(doc, text.toString(), false);
        text.setLength(0);
        sawText = true;
        return piece;
      }
    }
    return null;
  }

  private boolean isBlankSoFar() {
    return !sawText && text.toString().isBlank();
  }

  private DocPiece finish() {
    DocPiece piece = new DocPiece(doc++, text.toString(), true);
    text.setLength(0);
    open = false;
    sawText = false;
    return piece;
  }

  @Override
  public String position() {
    return "line " + lines.lineNumber();
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
