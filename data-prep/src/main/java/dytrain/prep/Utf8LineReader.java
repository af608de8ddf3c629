package dytrain.prep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Lines of UTF-8 text from a byte stream, '\n' or "\r\n" terminated. A line longer than the limit comes
 * back in pieces ({@link #continues()} is true for all but the last), cut between characters, so one
 * enormous line cannot exhaust memory. Invalid UTF-8 is replaced and counted per line.
 */
final class Utf8LineReader implements AutoCloseable {
  private final InputStream in;
  private final int maxLineBytes;
  private final RecordCounts counts;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean continues;
  private boolean previousContinued;
  private long lineNumber;
  private boolean eof;
  private boolean terminated; // the line buffer holds a whole line, its '\n' consumed
  /** Where the stream starts in its file, and how many lines come before that (counted only if asked). */
  private final long base;
  private final LongSupplier linesBefore;
  private long linesBeforeCount = -1;
  private long delivered; // bytes read from the stream so far
  private long lineStart;

  Utf8LineReader(InputStream in, int maxLineBytes, RecordCounts counts) {
    this(in, maxLineBytes, counts, 0, () -> 0);
  }

  /** Lines of a stream that starts at byte {@code base} of its file, at a line start after {@code linesBefore} lines. */
  Utf8LineReader(InputStream in, int maxLineBytes, RecordCounts counts, long base, LongSupplier linesBefore) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.counts = counts;
    this.base = base;
    this.linesBefore = linesBefore;
  }

  /** The next line or line piece without its terminator, or null at the end of the stream. */
  String readLine() throws IOException {
    previousContinued = continues;
    if (!previousContinued) {
      lineNumber++;
      lineStart = base + delivered - (limit - pos);
    }
    while (true) {
      if (lineLength > maxLineBytes) {
        return cut(); // on content alone, so a reader starting mid-file (PartStart) judges lines alike
      }
      if (terminated) {
        terminated = false;
        continues = false;
        int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        return take(n, lineLength);
      }
      if (pos == limit) {
        limit = eof ? -1 : in.read(buf, 0, buf.length);
        pos = 0;
        delivered += Math.max(0, limit);
        if (limit <= 0) {
          eof = true;
          limit = 0;
          if (lineLength == 0 && !previousContinued) {
            lineNumber--;
            return null;
          }
          continues = false;
          return take(lineLength, lineLength);
        }
      }
      int end = pos;
      while (end < limit && buf[end] != '\n') end++;
      append(buf, pos, end - pos);
      if (end < limit) {
        pos = end + 1;
        terminated = true; // the line buffer holds the whole line; the loop's top hands it out
        continue;
      }
      pos = limit;
    }
  }

  /** True when the line just returned is cut short and the next call returns the rest of it. */
  boolean continues() {
    return continues;
  }

  /** True when the line just returned is the rest of a line cut short, not the start of a new line. */
  boolean isContinuation() {
    return previousContinued;
  }

  /** 1-based number in its file of the line last returned. */
  long lineNumber() {
    if (linesBeforeCount < 0) {
      linesBeforeCount = linesBefore.getAsLong();
    }
    return linesBeforeCount + lineNumber;
  }

  /** Byte offset in its file where the line last returned (or the line it is a piece of) starts. */
  long lineStart() {
    return lineStart;
  }

  private String cut() {
    int at = maxLineBytes;
    while (at > 0 && (line[at] & 0xC0) == 0x80) at--; // never split a UTF-8 character
    if (at == 0) at = maxLineBytes;
    continues = true;
    return take(at, at);
  }

  /** Decodes line[0, n) and drops line[0, consumed). */
  private String take(int n, int consumed) {
    String text = decode(line, n);
    System.arraycopy(line, consumed, line, 0, lineLength - consumed);
    lineLength -= consumed;
    return text;
  }

  private void append(byte[] src, int from, int n) {
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
    }
    System.arraycopy(src, from, line, lineLength, n);
    lineLength += n;
  }

  private String decode(byte[] bytes, int n) {
    return decode(bytes, n, counts);
  }

  /** UTF-8 text of {@code bytes[0, n)}; invalid sequences become U+FFFD and count once per record. */
  static String decode(byte[] bytes, int n, RecordCounts counts) {
    boolean ascii = true;
    for (int i = 0; i < n && ascii; i++) ascii = bytes[i] >= 0;
    if (ascii) {
      return new String(bytes, 0, n, StandardCharsets.ISO_8859_1); // same chars, several times faster
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      counts.invalidUtf8++;
      return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
