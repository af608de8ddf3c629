package dytrain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dytrain.model.Tensors;

/** Windows of seq_len + 1 token ids as the model's inputs (all but the last) and targets (all but the first). */
final class Batches {
  private Batches() {}

  static NDArray inputs(NDManager m, int[][] windows) {
    return slice(m, windows, 0);
  }

  static NDArray targets(NDManager m, int[][] windows) {
    return slice(m, windows, 1);
  }

  private static NDArray slice(NDManager m, int[][] windows, int from) {
    int t = windows[0].length - 1;
    long[] ids = new long[windows.length * t];
    for (int b = 0; b < windows.length; b++) {
      for (int i = 0; i < t; i++) {
        ids[b * t + i] = windows[b][from + i];
      }
    }
    return Tensors.of(m, ids, new Shape(windows.length, t));
  }
}
