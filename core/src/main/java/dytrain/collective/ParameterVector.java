package dytrain.collective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dytrain.model.Tensors;
import java.util.Collection;

/**
 * Tensors flattened into one float array in parameter order, and written back: what goes on the wire.
 * Both directions cross the JNI boundary once for all tensors (one concatenation, one copy back), not once
 * per tensor. Callers run inside an NDScope with gradients off.
 */
final class ParameterVector {
  private ParameterVector() {}

  /** A flat copy and where each tensor starts in it. */
  record Flat(float[] values, int[] offsets) {
    /** 0 * g + avg is exactly avg for finite g; a non-finite g made avg non-finite too (the NaN guard's case). */
    void writeBackGradients(Collection<NDArray> parameters) {
      NDArray all = whole(parameters);
      int i = 0;
      for (NDArray p : parameters) {
        p.getGradient().muli(0).addi(part(all, i++, p));
      }
    }

    void writeBackValues(Collection<NDArray> parameters) {
      NDArray all = whole(parameters);
      int i = 0;
      for (NDArray p : parameters) {
        p.muli(0).addi(part(all, i++, p));
      }
    }

    private NDArray whole(Collection<NDArray> parameters) {
      return Tensors.of(parameters.iterator().next().getManager(), values, new Shape(values.length));
    }

    private NDArray part(NDArray all, int i, NDArray like) {
      return all.get(new NDIndex("{}:{}", offsets[i], offsets[i + 1])).reshape(like.getShape());
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
    NDList parts = new NDList();
    int i = 0;
    long total = 0;
    for (NDArray p : parameters) {
      offsets[i++] = (int) total;
      total += p.getShape().size();
      parts.add((gradients ? p.getGradient() : p).reshape(-1));
    }
    offsets[i] = Math.toIntExact(total);
    return new Flat(NDArrays.concat(parts).toFloatArray(), offsets);
  }
}
