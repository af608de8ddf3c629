package dytrain.train;

import ai.djl.ndarray.NDScope;
import dytrain.data.PackedSequences;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import java.util.OptionalDouble;

/**
 * Validation loss: the mean next-token NLL over the first windows of the validation split, read in
 * stored order, so every evaluation of every run sees the same tokens.
 */
public final class Evaluator implements Validation {

  private final PackedSequences windows;
  private final int batches;
  private final int batchSize;

  public Evaluator(PackedSequences windows, int batches, int batchSize) {
    this.windows = windows;
    this.batches = (int) Math.max(1, Math.min(batches, windows.windowsPerEpoch() / batchSize));
    this.batchSize = (int) Math.min(batchSize, windows.windowsPerEpoch());
  }

  @Override
  public OptionalDouble loss(Llama model) {
    return OptionalDouble.of(meanLoss(model));
  }

  public double meanLoss(Llama model) {
    double sum = 0;
    for (int b = 0; b < batches; b++) {
      int[][] batch = new int[batchSize][];
      for (int i = 0; i < batchSize; i++) {
        batch[i] = windows.window((long) b * batchSize + i);
      }
      try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
        var m = model.parameters().manager();
        sum += model.loss(Batches.inputs(m, batch), Batches.targets(m, batch)).getFloat();
      }
    }
    return sum / batches;
  }

  public long tokens() {
    return (long) batches * batchSize * (windows.window(0).length - 1);
  }
}
