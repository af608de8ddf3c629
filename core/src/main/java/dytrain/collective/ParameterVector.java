package dytrain.collective;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/** Tensors flattened into one float array in parameter order, and written back: what goes on the wire. */
final class ParameterVector {
  private ParameterVector() {}

  /** A flat copy and where each tensor starts in it. */
  record Flat(float[] values, int[] offsets) {
    void writeBackGradients(Collection<NDArray> parameters) {
      int i = 0;
      for (NDArray p : parameters) {
        p.getGradient().set(java.util.Arrays.copyOfRange(values, offsets[i], offsets[i + 1]));
        i++;
      }
    }

    void writeBackValues(Collection<NDArray> parameters) {
      int i = 0;
      for (NDArray p : parameters) {
        p.set(java.util.Arrays.copyOfRange(values, offsets[i], offsets[i + 1]));
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
