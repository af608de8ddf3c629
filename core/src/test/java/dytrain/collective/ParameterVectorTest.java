package dytrain.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dytrain.model.Autograd;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The flat vector's chunks are libtorch's own memory, in parameter order, and write back to the right places. */
class ParameterVectorTest {

  @Test
  void chunksAreViewsOfTheFlatTensorInParameterOrder() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.arange(0f, 12f).reshape(new Shape(3, 4)); // 0..11
      NDArray b = m.arange(100f, 105f); // 100..104
      List<NDArray> params = List.of(a, b);
      try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
        // 17 floats in chunks of 5: the last chunk is short, and b straddles a chunk boundary
        ParameterVector.Flat flat = ParameterVector.flatten(params, false, 5);
        assertEquals(4, flat.chunks().size());
        float[] seen = new float[17];
        int at = 0;
        for (var chunk : flat.chunks()) {
          assertTrue(chunk.isDirect());
          FloatBuffer f = chunk.asFloatBuffer();
          for (int i = 0; i < f.limit(); i++) {
            seen[at + i] = f.get(i);
            f.put(i, -f.get(i)); // written through the buffer, into the tensor
          }
          at += f.limit();
        }
        assertEquals(17, at);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 101, 102, 103, 104}, seen);
        flat.writeBackValues(params);
      }
      assertArrayEquals(new float[] {0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11}, a.toFloatArray());
      assertArrayEquals(new float[] {-100, -101, -102, -103, -104}, b.toFloatArray());
    }
  }

  @Test
  void gradientsWriteBackThroughTheChunks() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3});
      NDArray b = m.create(new float[] {4, 5});
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      try (Autograd rec = Autograd.record()) {
        Autograd.backward(a.square().sum().add(b.square().sum())); // gradients 2a, 2b
      }
      List<NDArray> params = List.of(a, b);
      try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
        ParameterVector.Flat flat = ParameterVector.flatten(params, true, 2);
        int at = 0;
        for (var chunk : flat.chunks()) {
          FloatBuffer f = chunk.asFloatBuffer();
          for (int i = 0; i < f.limit(); i++) {
            f.put(i, f.get(i) + 1000 * (at + i));
          }
          at += f.limit();
        }
        flat.writeBackGradients(params);
      }
      assertArrayEquals(new float[] {2, 1004, 2006}, a.getGradient().toFloatArray());
      assertArrayEquals(new float[] {3008, 4010}, b.getGradient().toFloatArray());
    }
  }
}
