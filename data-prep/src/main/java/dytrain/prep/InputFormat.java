package dytrain.prep;

/** Input file formats, told apart by file name: {@code .jsonl/.json/.ndjson} (optionally {@code .gz}), {@code .parquet}, else text. */
public enum InputFormat {
  TEXT,
  JSONL,
  PARQUET;

  public static InputFormat of(String fileName) {
    String n = fileName.toLowerCase();
    if (n.endsWith(".gz")) n = n.substring(0, n.length() - 3);
    if (n.endsWith(".parquet")) return PARQUET;
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) return JSONL;
    return TEXT;
  }
}
