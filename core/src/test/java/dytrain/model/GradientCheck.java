package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.nio.DoubleBuffer;
import java.util.List;
import java.util.function.Supplier;

/**
 * Compares libtorch's autograd with central finite differences in float64: for each checked element,
 * (f(p + h) - f(p - h)) / 2h against the accumulated gradient.
 */
final class GradientCheck {
  private GradientCheck() {}

  /**
   * @param loss evaluates the scalar loss from the current values of {@code inputs}
   * @param inputs float64 leaf arrays that require gradients
   * @param maxElementsPerInput how many elements of each input to check (spread over the tensor)
   */
  static void check(Supplier<NDArray> loss, List<NDArray> inputs, int maxElementsPerInput) {
    for (NDArray in : inputs) {
      Autograd.zeroGradient(in);
    }
    try (Autograd rec = Autograd.record()) {
      Autograd.backward(loss.get());
    }
    double h = 1e-6;
    for (NDArray in : inputs) {
      double[] grad = in.getGradient().toDoubleArray();
      double[] values = in.toDoubleArray();
      int stride = Math.max(1, values.length / maxElementsPerInput);
      for (int i = 0; i < values.length; i += stride) {
        double fd;
        try (Autograd off = Autograd.noGrad()) {
          double orig = values[i];
          values[i] = orig + h;
          in.set(DoubleBuffer.wrap(values));
          double plus = loss.get().getDouble();
          values[i] = orig - h;
          in.set(DoubleBuffer.wrap(values));
          double minus = loss.get().getDouble();
          values[i] = orig;
          in.set(DoubleBuffer.wrap(values));
          fd = (plus - minus) / (2 * h);
        }
        double err = Math.abs(fd - grad[i]) / Math.max(1e-3, Math.abs(fd) + Math.abs(grad[i]));
        assertTrue(err < 1e-5, in.getName() + "[" + i + "]: autograd " + grad[i] + " vs finite difference " + fd);
      }
    }
  }
}
