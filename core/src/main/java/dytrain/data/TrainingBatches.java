package dytrain.data;

import dytrain.config.DytrainException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which windows a rank trains on at each step. Global batch {@code step} is windows
 * [step*G, (step+1)*G) of {@link PackedSequences}; rank r of W takes the r-th contiguous slice of G/W
 * and cuts it into micro-batches. The sequence of global batches therefore does not depend on W, and
 * resuming at step k needs no replay. A resumed run continues from the window its checkpoint recorded
 * ({@link #resumingAt}), so a global batch changed on resume neither skips nor replays data.
 */
public final class TrainingBatches {

  private final PackedSequences windows;
  private final int globalBatch;
  private final int rank;
  private final int worldSize;
  private final int microBatch;
  private long originStep;
  private long originWindow;

  public TrainingBatches(PackedSequences windows, int globalBatch, int microBatch, int rank, int worldSize) {
    if (globalBatch % worldSize != 0 || (globalBatch / worldSize) % microBatch != 0) {
      throw new DytrainException("global batch of " + globalBatch + " sequences must split into " + worldSize
          + " ranks x whole micro-batches of train.micro_batch_size = " + microBatch);
    }
    this.windows = windows;
    this.globalBatch = globalBatch;
    this.microBatch = microBatch;
    this.rank = rank;
    this.worldSize = worldSize;
  }

  /** Step {@code step}'s global batch starts at window {@code window} (a checkpoint's data position). */
  public TrainingBatches resumingAt(long step, long window) {
    originStep = step;
    originWindow = window;
    return this;
  }

  /** This rank's micro-batches for {@code step}: each an array of windows of seq_len + 1 tokens. */
  public List<int[][]> microBatches(long step) {
    int perRank = globalBatch / worldSize;
    long first = firstWindow(step) + (long) rank * perRank;
    List<int[][]> out = new ArrayList<>();
    for (int m = 0; m < perRank; m += microBatch) {
      int[][] batch = new int[microBatch][];
      for (int i = 0; i < microBatch; i++) {
        batch[i] = windows.window(first + m + i);
      }
      out.add(batch);
    }
    return out;
  }

  private long firstWindow(long step) {
    return originWindow + (step - originStep) * globalBatch;
  }
}
