package dytrain.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dytrain.model.Kernels;

/**
 * This machine's matrix-multiply peak in a dtype, measured: the denominator of MFU. A datasheet peak overstates
 * what libtorch reaches on a given CPU, and one long timing understates it when anything else runs; the
 * best of several short trials is the achievable peak (llm.c uses the promised peak of a known GPU).
 */
public final class PeakFlops {
  private PeakFlops() {}

  /** Best FLOP/s of square n x n fp32 matmuls over {@code trials} timings of about {@code seconds} each. */
  public static double measure(int n, int trials, double seconds) {
    return measure("float32", n, trials, seconds);
  }

  /**
   * The same for the matmuls of {@code model.dtype}, through the model's own {@link Kernels}: in bfloat16
   * that includes the casts around each matmul (under 2% at n = 1024), as a training step pays them.
   */
  public static double measure(String dtype, int n, int trials, double seconds) {
    try (NDManager m = NDManager.newBaseManager(Device.cpu()); Kernels kernels = Kernels.load(dtype, m)) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
      double best = 0;
      for (int trial = -1; trial < trials; trial++) { // trial -1 warms up
        long start = System.nanoTime();
        long runs = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
          try (NDScope s = new NDScope()) {
            kernels.linear(a, b);
          }
          runs++;
        }
        double flops = 2.0 * n * n * n * runs / ((System.nanoTime() - start) / 1e9);
        if (trial >= 0) {
          best = Math.max(best, flops);
        }
      }
      return best;
    }
  }

  /** The trainer's quick measurement (about a second) for {@code model.dtype}. */
  public static double measure(String dtype) {
    return measure(dtype, 1024, 5, 0.2);
  }
}
