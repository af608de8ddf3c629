package dytrain.tokenizer;

import com.knuddels.jtokkit.api.Encoding;
import java.util.Arrays;
import java.util.HashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives exactly jtokkit's {@code encodeOrdinary} ids, remembering the ids of each piece (the "words" the
 * encoding's split pattern cuts text into) it has encoded. tiktoken encodes every piece on its own, so a
 * piece's ids depend on its characters alone; in natural text most pieces recur, and jtokkit spends more
 * time on their byte-pair merges than on finding them (a profile of {@code bench tokenize}: 52% merging,
 * 35% splitting). One instance per thread: it is not thread-safe.
 */
final class PieceCachingEncoder {
  /** A cache bounded in entries and piece length bounds memory whatever the corpus. */
  private static final int MAX_ENTRIES = 1 << 16;

  private static final int MAX_PIECE_CHARS = 32;

  private final Pattern pieces;
  private final Encoding encoding;
  private final HashMap<String, int[]> idsOfPiece = new HashMap<>(2 * MAX_ENTRIES);

  PieceCachingEncoder(Pattern pieces, Encoding encoding) {
    this.pieces = pieces;
    this.encoding = encoding;
  }

  int[] encode(String text) {
    int[] out = new int[Math.max(16, text.length() / 3)];
    int size = 0;
    Matcher m = pieces.matcher(text);
    while (m.find()) {
      int[] ids = idsOf(text.substring(m.start(), m.end()));
      if (size + ids.length > out.length) {
        out = Arrays.copyOf(out, Math.max(2 * out.length, size + ids.length));
      }
      System.arraycopy(ids, 0, out, size, ids.length);
      size += ids.length;
    }
    return size == out.length ? out : Arrays.copyOf(out, size);
  }

  private int[] idsOf(String piece) {
    int[] ids = idsOfPiece.get(piece);
    if (ids == null) {
      // the piece alone splits into itself (the pattern's only lookahead, \s+(?!\S), also matches a
      // whitespace run at the end of text), so this is the piece's share of encodeOrdinary(text)
      ids = encoding.encodeOrdinary(piece).toArray();
      if (piece.length() <= MAX_PIECE_CHARS) {
        if (idsOfPiece.size() >= MAX_ENTRIES) idsOfPiece.clear(); // a long tail of rare pieces: start over
        idsOfPiece.put(piece, ids);
      }
    }
    return ids;
  }
}
