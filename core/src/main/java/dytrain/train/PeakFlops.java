package dytrain.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

/**
 * This machine's fp32 matrix-multiply peak, measured: the denominator of MFU. A vendor's datasheet peak
 * overstates what libtorch reaches on a given CPU; MFU against a measured peak says how much of the
 * achievable is used (llm.c's MFU uses the promised peak of a known GPU instead).
 */
public final class PeakFlops {
  private PeakFlops() {}

  /** FLOP/s of square n x n fp32 matmuls, timed for about {@code seconds}. */
  public static double measure(int n, double seconds) {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
      for (int i = 0; i < 2; i++) {
        try (NDScope s = new NDScope()) {
          a.matMul(b);
        }
      }
      long start = System.nanoTime();
      long runs = 0;
      while (System.nanoTime() - start < seconds * 1e9) {
        try (NDScope s = new NDScope()) {
          a.matMul(b);
        }
        runs++;
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      return 2.0 * n * n * n * runs / elapsed;
    }
  }
}
