package dytrain.collective;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Collection;

/**
 * Tensors flattened into one contiguous host tensor in parameter order, and written back: what goes on
 * the wire. The all-reduce works on the tensor's own memory through a direct buffer, so nothing is
 * copied into Java at all; both directions cost one libtorch copy for all tensors (a concatenation, then
 * a copy back), not one JNI crossing per tensor. Callers run inside an NDScope with gradients off, which
 * keeps the tensor, and with it the buffer's memory, alive.
 */
final class ParameterVector {
  private ParameterVector() {}

  /** The flat tensor, a direct view of its floats, and where each parameter starts in it. */
  record Flat(NDArray host, ByteBuffer bytes, int[] offsets) {
    FloatBuffer floats() {
      return bytes.asFloatBuffer();
    }

    /** 0 * g + avg is exactly avg for finite g; a non-finite g made avg non-finite too (the NaN guard's case). */
    void writeBackGradients(Collection<NDArray> parameters) {
      NDArray all = onDeviceOf(parameters);
      int i = 0;
      for (NDArray p : parameters) {
        p.getGradient().muli(0).addi(part(all, i++, p));
      }
    }

    void writeBackValues(Collection<NDArray> parameters) {
      NDArray all = onDeviceOf(parameters);
      int i = 0;
      for (NDArray p : parameters) {
        p.muli(0).addi(part(all, i++, p));
      }
    }

    private NDArray onDeviceOf(Collection<NDArray> parameters) {
      return host.toDevice(parameters.iterator().next().getDevice(), false);
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
    NDArray host = NDArrays.concat(parts).toDevice(Device.cpu(), false);
    // a contiguous CPU tensor: libtorch hands out its memory as a direct buffer, no copy
    return new Flat(host, host.toByteBuffer(true), offsets);
  }
}
