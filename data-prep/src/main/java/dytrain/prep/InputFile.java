package dytrain.prep;

import java.io.Serializable;

/**
 * One input file and its place in the sorted input list. The index is the unit of work and of resume:
 * one Spark task turns one input into its own shards, and document ids are {@code index * 1e9 + n}.
 */
public record InputFile(int index, String path, long bytes, InputFormat format) implements Serializable {
  public static final long DOCS_PER_INPUT = 1_000_000_000L;

  public long docId(long n) {
    return index * DOCS_PER_INPUT + n;
  }
}
