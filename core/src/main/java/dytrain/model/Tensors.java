package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Java arrays into tensors whose memory libtorch owns. DJL's {@code create(float[])} builds a tensor over a
 * direct ByteBuffer that only its Java wrapper keeps alive: once that wrapper is closed (or its NDScope
 * ends) the garbage collector may free memory a tensor still reads, which showed up as training results
 * that changed with GC timing. A copy made by libtorch cannot dangle.
 */
public final class Tensors {
  private Tensors() {}

  public static NDArray of(NDManager manager, float[] data, Shape shape) {
    return owned(manager.create(data, shape));
  }

  public static NDArray of(NDManager manager, long[] data, Shape shape) {
    return owned(manager.create(data, shape));
  }

  /**
   * A scalar to multiply a tensor that needs gradients by. Not {@code x.mul(Number)}: DJL closes that
   * scalar right after the op, but autograd keeps it for the backward pass, which then reads freed memory
   * whenever the collector ran in between (it corrupted the attention's q/k gradients).
   */
  public static NDArray scalar(NDArray like, double value) {
    return of(like.getManager(), new float[] {(float) value}, new Shape()).toType(like.getDataType(), false);
  }

  /** Overwrites {@code target} in place (its storage stays libtorch's) with {@code values}. */
  public static void copyInto(NDArray target, float[] values) {
    try (NDArray source = of(target.getManager(), values, target.getShape())) {
      target.muli(0).addi(source.toType(target.getDataType(), false));
    }
  }

  private static NDArray owned(NDArray fromJava) {
    NDArray copy = fromJava.duplicate();
    fromJava.close();
    return copy;
  }
}
