package dytrain.prep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a part of a text file that does not begin the file starts reading, the way Hadoop's line reader
 * does it: at the first line that starts at or after the part's first byte (the line under way belongs to
 * the previous part). For blank-line documents it also tells whether that line continues a document begun
 * earlier, which is so when the line before it is not blank.
 */
record PartStart(Utf8LineReader lines, boolean insideDocument) {
  private static final int CHUNK = 1 << 16;

  static PartStart open(InputFile part, DocSplit split, int maxLineBytes, RecordCounts counts,
      Configuration conf) throws IOException {
    Path path = new Path(part.path());
    FileSystem fs = path.getFileSystem(conf);
    if (part.start() == 0) {
      return new PartStart(new Utf8LineReader(fs.open(path), maxLineBytes, counts), false);
    }
    long s = part.start();
    long first;
    boolean insideDocument = false;
    // probing reads go to their own stream: on an object store a backward seek would switch the stream
    // that reads the part to small random reads
    try (FSDataInputStream probe = fs.open(path)) {
      // the line holding byte s-1 belongs to the previous part; this part starts after its '\n'
      long lineEnd = find(probe, s - 1, part.bytes());
      first = Math.min(lineEnd + 1, part.bytes());
      if (split == DocSplit.BLANKLINE) {
        long lineBegin = lineBeginBefore(probe, s - 1, maxLineBytes);
        insideDocument = lineBegin < 0 || lineEnd - lineBegin > maxLineBytes || !blank(probe, lineBegin, lineEnd);
      }
    }
    FSDataInputStream in = fs.open(path);
    try {
      in.seek(first);
    } catch (IOException e) {
      in.close();
      throw e;
    }
    long start = first;
    return new PartStart(new Utf8LineReader(in, maxLineBytes, counts, start, () -> countLines(fs, path, start)),
        insideDocument);
  }

  /** Offset of the first '\n' at or after {@code from}, or {@code size} if there is none. */
  private static long find(FSDataInputStream in, long from, long size) throws IOException {
    byte[] buf = new byte[CHUNK];
    for (long at = from; at < size; at += CHUNK) {
      int n = (int) Math.min(CHUNK, size - at);
      in.readFully(at, buf, 0, n);
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          return at + i;
        }
      }
    }
    return size;
  }

  /**
   * Offset where the line holding byte {@code at} begins (just after the '\n' before it, or 0), or -1
   * when that is more than {@code limit} bytes back: a line that long is cut into pieces, never blank.
   */
  private static long lineBeginBefore(FSDataInputStream in, long at, int limit) throws IOException {
    byte[] buf = new byte[CHUNK];
    long lowest = Math.max(0, at - limit - 1);
    for (long end = at; end > lowest; ) {
      long from = Math.max(lowest, end - CHUNK);
      int n = (int) (end - from);
      in.readFully(from, buf, 0, n);
      for (int i = n - 1; i >= 0; i--) {
        if (buf[i] == '\n') {
          return from + i + 1;
        }
      }
      end = from;
    }
    return lowest == 0 ? 0 : -1;
  }

  /**
   * Whether bytes [from, to) decode to a blank line, as the line reader would judge it: an ASCII byte
   * that is not white space settles it at once; only a line of white space with non-ASCII bytes in it
   * (a U+3000, say) is decoded.
   */
  private static boolean blank(FSDataInputStream in, long from, long to) throws IOException {
    byte[] buf = new byte[CHUNK];
    boolean ascii = true;
    for (long at = from; at < to; at += CHUNK) {
      int n = (int) Math.min(CHUNK, to - at);
      in.readFully(at, buf, 0, n);
      for (int i = 0; i < n; i++) {
        byte b = buf[i];
        if (b < 0) {
          ascii = false;
        } else if (!Character.isWhitespace(b)) {
          return false;
        }
      }
    }
    if (ascii) {
      return true;
    }
    byte[] line = new byte[(int) (to - from)];
    in.readFully(from, line, 0, line.length);
    return new String(line, StandardCharsets.UTF_8).isBlank();
  }

  /** Lines before byte {@code offset}: read only when an error message needs a line number. */
  private static long countLines(FileSystem fs, Path path, long offset) {
    try (FSDataInputStream in = fs.open(path)) {
      byte[] buf = new byte[1 << 20];
      long lines = 0;
      for (long at = 0; at < offset; ) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, offset - at));
        if (n < 0) {
          break;
        }
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') lines++;
        }
        at += n;
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException("counting lines of " + path, e);
    }
  }
}
