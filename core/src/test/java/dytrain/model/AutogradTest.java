package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class AutogradTest {

  /** d/dx sum(x^2) = 2x; a second backward adds to it (accumulation); zeroing starts over. */
  @Test
  void gradientsAccumulateUntilZeroed() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, -2, 3});
      x.setRequiresGradient(true);
      for (int i = 0; i < 2; i++) {
        try (Autograd rec = Autograd.record()) {
          Autograd.backward(x.square().sum());
        }
      }
      assertArrayEquals(new float[] {4, -8, 12}, x.getGradient().toFloatArray(), 0f);
      Autograd.zeroGradient(x);
      assertArrayEquals(new float[] {0, 0, 0}, x.getGradient().toFloatArray(), 0f);
      try (Autograd rec = Autograd.record()) {
        Autograd.backward(x.square().sum());
      }
      assertArrayEquals(new float[] {2, -4, 6}, x.getGradient().toFloatArray(), 0f);
    }
  }
}
