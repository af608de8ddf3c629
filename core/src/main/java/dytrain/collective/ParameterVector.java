package dytrain.collective;

import ai.djl.ndarray.NDArray;
import dytrain.model.Tensors;
import java.util.Collection;

/** Tensors flattened into one float array in parameter order, and written back: what goes on the wire. */
final class ParameterVector {
  private ParameterVector() {}

  /** A flat copy and where each tensor starts in it. */
  record Flat(float[] values, int[] offsets) {
    /**
     * Copies the values into the gradients with in-place tensor ops. Not NDArray.set: DJL's set points the
     * tensor at a direct buffer owned by the Java wrapper, and getGradient() returns a fresh wrapper each
     * call, so the gradient would outlive its memory (a use-after-free that corrupts the native heap).
     */
    void writeBackGradients(Collection<NDArray> parameters) {
      int i = 0;
      for (NDArray p : parameters) {
        float[] slice = java.util.Arrays.copyOfRange(values, offsets[i], offsets[i + 1]);
        // 0 * g + avg is exactly avg for finite g; a non-finite g made avg non-finite too (the NaN guard's case).
        Tensors.copyInto(p.getGradient(), slice);
        i++;
      }
    }

    void writeBackValues(Collection<NDArray> parameters) {
      int i = 0;
      for (NDArray p : parameters) {
        Tensors.copyInto(p, java.util.Arrays.copyOfRange(values, offsets[i], offsets[i + 1]));
        i++;
      }
    }
  }

  static Flat gradients(Collection<NDArray> parameters) {
    return flatten(parameters, true);
  }

  static Flat values(Collection<NDArray> parameters) {
    return flatten(parameters, false);
  }

  private static Flat flatten(Collection<NDArray> parameters, boolean gradients) {
    int[] offsets = new int[parameters.size() + 1];
    int i = 0;
    long total = 0;
    for (NDArray p : parameters) {
      offsets[i++] = (int) total;
      total += p.getShape().size();
    }
    offsets[i] = Math.toIntExact(total);
    float[] values = new float[(int) total];
    i = 0;
    for (NDArray p : parameters) {
      float[] v = gradients ? p.getGradient().toFloatArray() : p.toFloatArray();
      System.arraycopy(v, 0, values, offsets[i++], v.length);
    }
    return new Flat(values, offsets);
  }
}
