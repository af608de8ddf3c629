package dytrain.prep;

/** Cuts one long in-memory text into pieces of at most {@link DocumentReader#PIECE_CHARS} chars, never inside a surrogate pair. */
final class TextPieces {
  private String text;
  private int from;
  private long doc;

  boolean hasMore() {
    return text != null;
  }

  void start(long doc, String text) {
    this.doc = doc;
    this.text = text;
    this.from = 0;
  }

  DocPiece next() {
    int to = Math.min(text.length(), from + DocumentReader.PIECE_CHARS);
    if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) to--;
    boolean last = to == text.length();
    DocPiece piece = new DocPiece(doc, text.substring(from, to), last);
    from = to;
    if (last) text = null;
    return piece;
  }
}
