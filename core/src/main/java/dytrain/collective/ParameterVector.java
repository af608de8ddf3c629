package dytrain.collective;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Tensors flattened into one contiguous host tensor in parameter order, and written back: what goes on
 * the wire. The all-reduce works on the tensor's own memory through direct buffers, so nothing is
 * copied into Java at all; both directions cost one libtorch copy for all tensors (a concatenation, then
 * a copy back), not one JNI crossing per tensor. Callers run inside an NDScope with gradients off, which
 * keeps the tensor, and with it the buffers' memory, alive.
 */
final class ParameterVector {
  /** Floats per direct buffer: 1 GiB, since a Java buffer cannot address more than 2 GiB. */
  static final int CHUNK_FLOATS = 1 << 28;

  private ParameterVector() {}

  /** The flat tensor, direct views of its floats in consecutive chunks, and where each parameter starts. */
  record Flat(NDArray host, List<ByteBuffer> chunks, int[] offsets) {
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
    return flatten(parameters, true, CHUNK_FLOATS);
  }

  static Flat values(Collection<NDArray> parameters) {
    return flatten(parameters, false, CHUNK_FLOATS);
  }

  static Flat flatten(Collection<NDArray> parameters, boolean gradients, int chunkFloats) {
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
    List<ByteBuffer> chunks = new ArrayList<>();
    for (long from = 0; from < total; from += chunkFloats) {
      NDArray slice = host.get(new NDIndex("{}:{}", from, Math.min(total, from + chunkFloats)));
      // a contiguous CPU tensor: libtorch hands out its memory as a direct buffer, no copy
      chunks.add(slice.toByteBuffer(true));
    }
    return new Flat(host, chunks, offsets);
  }
}
