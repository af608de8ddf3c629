package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class RopeTest {

  /** HF rotate_half: channels (i, i + d/2) rotate together by t * theta^(-2i/d), written as complex numbers. */
  @Test
  void rotatesChannelPairsLikeHuggingFace() {
    int heads = 2;
    int t = 7;
    int d = 8;
    double theta = 500.0;
    Rope rope = new Rope(d, 16, theta);
    float[] x = new float[heads * t * d];
    Random r = new Random(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    float[] y;
    try (NDManager m = NDManager.newBaseManager()) {
      y = rope.apply(m.create(x, new Shape(1, heads, t, d))).toFloatArray();
    }
    for (int h = 0; h < heads; h++) {
      for (int pos = 0; pos < t; pos++) {
        int base = (h * t + pos) * d;
        for (int i = 0; i < d / 2; i++) {
          double angle = pos * Math.pow(theta, -2.0 * i / d);
          double re = x[base + i];
          double im = x[base + i + d / 2];
          double outRe = re * Math.cos(angle) - im * Math.sin(angle);
          double outIm = re * Math.sin(angle) + im * Math.cos(angle);
          assertEquals(outRe, y[base + i], 1e-5);
          assertEquals(outIm, y[base + i + d / 2], 1e-5);
        }
      }
    }
  }

  @Test
  void refusesSequencesLongerThanMaxSeqLen() {
    Rope rope = new Rope(4, 3, 10000);
    try (NDManager m = NDManager.newBaseManager()) {
      var x = m.zeros(new Shape(1, 1, 4, 4));
      var e = Assertions.assertThrows(IllegalArgumentException.class, () -> rope.apply(x));
      Assertions.assertTrue(e.getMessage().contains("max_seq_len = 3"), e.getMessage());
    }
  }
}
