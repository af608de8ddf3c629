package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Per-thread gradient recording. DJL's GradientCollector is one per JVM, so two ranks in one JVM
 * collide; libtorch's grad mode is per thread, so we drive it directly (ARCHITECTURE.md, "The stack").
 */
public final class Autograd implements AutoCloseable {

  private final boolean previous;

  private Autograd(boolean enabled) {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(enabled);
  }

  /** Records operations on this thread so that {@link #backward} can differentiate them. */
  public static Autograd record() {
    return new Autograd(true);
  }

  /** Builds no graph on this thread (scoring, evaluation, generation). */
  public static Autograd noGrad() {
    return new Autograd(false);
  }

  /** Accumulates d(scalar)/d(parameter) into every parameter's gradient. */
  public static void backward(NDArray scalar) {
    try (NDArray ones = scalar.onesLike()) {
      JniUtils.backward((PtNDArray) scalar, (PtNDArray) ones, false, false);
    }
  }

  /** Back-propagates a given output gradient {@code dy} through {@code y} (benchmarks, vector-Jacobian checks). */
  public static void backward(NDArray y, NDArray dy) {
    JniUtils.backward((PtNDArray) y, (PtNDArray) dy, false, false);
  }

  /** Sets a parameter's accumulated gradient to zero, before the next accumulation. */
  public static void zeroGradient(NDArray parameter) {
    if (parameter.hasGradient()) {
      JniUtils.zeroGrad((PtNDArray) parameter);
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
