package dytrain.prep;

import java.io.Serializable;

/**
 * One part of an input file, and its place in the sorted list of parts: bytes [start, end) of the file,
 * the whole file unless a large text or JSON lines file was cut into parts ({@link InputSplits}). A part
 * owns the records that begin inside it. The index is the unit of work and of resume: one Spark task
 * turns one part into its own shards, and document ids are {@code index * 1e9 + n}.
 */
public record InputFile(int index, String path, long bytes, InputFormat format, long start, long end)
    implements Serializable {
  public static final long DOCS_PER_INPUT = 1_000_000_000L;

  /** The whole file as one part. */
  public InputFile(int index, String path, long bytes, InputFormat format) {
    this(index, path, bytes, format, 0, bytes);
  }

  public boolean whole() {
    return start == 0 && end == bytes;
  }

  public long docId(long n) {
    return index * DOCS_PER_INPUT + n;
  }
}
