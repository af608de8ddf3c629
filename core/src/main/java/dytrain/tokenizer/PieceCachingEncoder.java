package dytrain.tokenizer;

import com.knuddels.jtokkit.api.Encoding;
import java.util.Arrays;

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

  private final PieceSplitter pieces;
  private final Encoding encoding;
  // Open addressing at load <= 1/2, looked up by a region of the text: a piece costs no String of its own
  // unless it is new, which keeps prep's garbage (and so the GC's share of the cores) down.
  private final String[] keys = new String[2 * MAX_ENTRIES];
  private final int[][] values = new int[2 * MAX_ENTRIES][];
  private int entries;

  private int[] out;
  private int size;

  PieceCachingEncoder(PieceSplitter pieces, Encoding encoding) {
    this.pieces = pieces;
    this.encoding = encoding;
  }

  int[] encode(String text) {
    out = new int[Math.max(16, text.length() / 3)];
    size = 0;
    pieces.split(text, (start, end) -> append(idsOf(text, start, end)));
    int[] ids = size == out.length ? out : Arrays.copyOf(out, size);
    out = null;
    return ids;
  }

  private void append(int[] ids) {
    if (size + ids.length > out.length) {
      out = Arrays.copyOf(out, Math.max(2 * out.length, size + ids.length));
    }
    System.arraycopy(ids, 0, out, size, ids.length);
    size += ids.length;
  }

  private int[] idsOf(String text, int start, int end) {
    int length = end - start;
    if (length > MAX_PIECE_CHARS) return idsOf(text.substring(start, end));
    int h = 0;
    for (int i = start; i < end; i++) h = 31 * h + text.charAt(i);
    int mask = keys.length - 1;
    int slot = (h ^ (h >>> 16)) & mask;
    for (String key; (key = keys[slot]) != null; slot = (slot + 1) & mask) {
      if (key.length() == length && text.regionMatches(start, key, 0, length)) return values[slot];
    }
    if (entries >= MAX_ENTRIES) { // a long tail of rare pieces: start over
      Arrays.fill(keys, null);
      Arrays.fill(values, null);
      entries = 0;
      slot = (h ^ (h >>> 16)) & mask;
    }
    String piece = text.substring(start, end);
    keys[slot] = piece;
    values[slot] = idsOf(piece);
    entries++;
    return values[slot];
  }

  /**
   * The piece alone splits into itself (the patterns' only lookahead, \s+(?!\S), also matches a
   * whitespace run at the end of text), so this is the piece's share of encodeOrdinary(text).
   */
  private int[] idsOf(String piece) {
    return encoding.encodeOrdinary(piece).toArray();
  }
}
