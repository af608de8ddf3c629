package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dytrain.model.Autograd;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

  /** Gradients (3, 4) and (12): global norm 13; clipping to 6.5 halves both, keeping the direction. */
  @Test
  void clipsByTheNormOfAllGradientsTogether() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 1}, new Shape(2));
      NDArray b = m.create(new float[] {1}, new Shape(1));
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      try (Autograd rec = Autograd.record()) {
        NDArray loss = a.mul(m.create(new float[] {3, 4})).sum().add(b.mul(12).sum());
        Autograd.backward(loss);
      }
      double norm = GradientClipping.clip(List.of(a, b), 6.5);
      assertEquals(13.0, norm, 1e-6);
      assertArrayEquals(new float[] {1.5f, 2f}, a.getGradient().toFloatArray(), 1e-5f);
      assertArrayEquals(new float[] {6f}, b.getGradient().toFloatArray(), 1e-5f);
      assertEquals(6.5, GradientClipping.globalNorm(List.of(a, b)), 1e-5);
      double unclipped = GradientClipping.clip(List.of(a, b), 100);
      assertEquals(6.5, unclipped, 1e-5);
      assertArrayEquals(new float[] {1.5f, 2f}, a.getGradient().toFloatArray(), 1e-5f, "below the limit: unchanged");
    }
  }
}
