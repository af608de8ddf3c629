package dytrain.prep;

/**
 * Input file formats, told apart by file name: {@code .jsonl/.json/.ndjson}, {@code .parquet}, else text; each
 * optionally behind a compression suffix of Hadoop's codecs ({@code .gz}, {@code .bz2}, ...), which decompress it.
 */
public enum InputFormat {
  TEXT,
  JSONL,
  PARQUET;

  /** The default extensions of Hadoop's built-in compression codecs. */
  private static final String[] CODEC_SUFFIXES = {".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy"};

  public static InputFormat of(String fileName) {
    String n = fileName.toLowerCase();
    for (String codec : CODEC_SUFFIXES) {
      if (n.endsWith(codec)) n = n.substring(0, n.length() - codec.length());
    }
    if (n.endsWith(".parquet")) return PARQUET;
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) return JSONL;
    return TEXT;
  }
}
