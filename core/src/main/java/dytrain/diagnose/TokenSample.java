package dytrain.diagnose;

import dytrain.config.ModelConfig;
import dytrain.data.PackedSequences;
import dytrain.data.TokenDataset;

/**
 * The tokens a diagnosis runs on: the first sequences of a split in stored order, as evaluation reads them,
 * so every model and every checkpoint is measured on the same tokens.
 *
 * @param windows token ids, sequences of equal length
 * @param requested how many tokens were asked for; fewer are used when the split holds fewer
 */
public record TokenSample(int[][] windows, long requested) {

  public TokenSample {
    if (windows.length == 0 || windows[0].length == 0) {
      throw new IllegalArgumentException("a token sample needs at least one token");
    }
  }

  /**
   * At least {@code tokens} tokens (whole sequences of the model's max_seq_len, or one shorter sequence),
   * or all the split has.
   */
  public static TokenSample read(TokenDataset dataset, String split, int tokens, ModelConfig model) {
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens = " + tokens + " must be positive");
    }
    int length = Math.min(tokens, model.maxSeqLen());
    PackedSequences sequences = PackedSequences.inStoredOrder(dataset, split, length, model.vocabSize());
    long count = Math.min((tokens + length - 1) / length, sequences.windowsPerEpoch());
    int[][] windows = new int[(int) count][];
    for (int i = 0; i < count; i++) {
      windows[i] = sequences.window(i);
    }
    return new TokenSample(windows, tokens);
  }

  public long tokens() {
    return (long) windows.length * windows[0].length;
  }
}
