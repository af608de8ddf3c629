package dytrain.data;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The entropy of a split's token frequencies, in nats per token: the loss of the best model that ignores
 * context, so a trained model's loss below it measures what it learned from context.
 */
public final class UnigramEntropy {
  private UnigramEntropy() {}

  public static double of(TokenDataset dataset, String split) {
    long[] counts = new long[dataset.manifest().tokenizer().vocabSize()];
    long total = 0;
    for (Manifest.Shard shard : dataset.manifest().split(split).shards()) {
      try (TokenShardReader reader = dataset.openShard(shard)) {
        for (TokenRow row; (row = reader.next()) != null; ) {
          for (int id : row.tokens()) {
            counts[id]++;
            total++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    double h = 0;
    for (long c : counts) {
      if (c > 0) {
        double p = (double) c / total;
        h -= p * Math.log(p);
      }
    }
    return h;
  }
}
