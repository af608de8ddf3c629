package dytrain.config;

/** The {@code data:} section: which prepared dataset (a folder or Hadoop URI) and which splits. */
public record DataConfig(String dataset, String trainSplit, String valSplit) {
  public DataConfig {
    trainSplit = trainSplit == null ? "train" : trainSplit;
    valSplit = valSplit == null ? "val" : valSplit;
  }

  public static DataConfig defaults() {
    return new DataConfig(null, null, null);
  }
}
