package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dytrain.config.DytrainException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused kernels against the computations they replace, written out independently. */
class KernelsTest {

  static final int B = 2, H = 4, KV = 2, T = 7, D = 8;

  /** fp32: float rounding only; bf16: q, k, v rounded to 8 bits (0.4% each) before the same math. */
  @ParameterizedTest
  @CsvSource({"float32, 1e-5", "bfloat16, 2e-2"})
  void fusedCausalAttentionEqualsSoftmaxOfMaskedScores(String dtype, double tolerance) {
    try (NDManager m = NDManager.newBaseManager(Device.cpu()); Kernels kernels = Kernels.load(dtype, m)) {
      float[] q = random(B * H * T * D, 1);
      float[] k = random(B * KV * T * D, 2);
      float[] v = random(B * KV * T * D, 3);
      float[] fused = kernels.causalAttention(
          Tensors.of(m, q, new Shape(B, H, T, D)), Tensors.of(m, k, new Shape(B, KV, T, D)),
          Tensors.of(m, v, new Shape(B, KV, T, D))).toFloatArray();
      double[] expected = plainJavaAttention(q, k, v);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], fused[i], tolerance, dtype + " element " + i);
      }
    }
  }

  /** The backward pass of the fused kernel against autograd through the unfused ops the model used before. */
  @Test
  void fusedAttentionGradientsEqualUnfusedGradients() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu()); Kernels kernels = Kernels.load("float32", m)) {
      float[][] inputs = {random(B * H * T * D, 1), random(B * KV * T * D, 2), random(B * KV * T * D, 3)};
      NDArray dy = Tensors.of(m, random(B * H * T * D, 4), new Shape(B, H, T, D));
      float[][] fused = gradients(m, inputs, dy, (q, k, v) -> kernels.causalAttention(q, k, v));
      float[][] unfused = gradients(m, inputs, dy, KernelsTest::unfusedAttention);
      for (int t = 0; t < 3; t++) {
        for (int i = 0; i < fused[t].length; i++) {
          assertEquals(unfused[t][i], fused[t][i], 1e-5, "d" + "qkv".charAt(t) + " element " + i);
        }
      }
    }
  }

  @Test
  void bfloat16LinearIsTheProductOfRoundedInputs() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu()); Kernels kernels = Kernels.load("bfloat16", m)) {
      float[] x = random(3 * 16, 5);
      float[] w = random(4 * 16, 6);
      float[] y = kernels.linear(Tensors.of(m, x, new Shape(3, 16)), Tensors.of(m, w, new Shape(4, 16))).toFloatArray();
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
          double sum = 0;
          for (int i = 0; i < 16; i++) {
            sum += (double) bf16(x[r * 16 + i]) * bf16(w[c * 16 + i]);
          }
          // products of bf16 values are exact in fp32; the sum and its bf16 output rounding are not
          assertEquals(sum, y[r * 4 + c], 1e-2 * Math.max(1, Math.abs(sum)), "y[" + r + "][" + c + "]");
        }
      }
    }
  }

  /**
   * The norm kernels against the formulas in doubles: fp32 to float rounding; bf16 within bf16's
   * precision (x, alpha, w and the output each rounded to 8 bits), and autograd reaches x, alpha and w.
   */
  @ParameterizedTest
  @CsvSource({"float32, 1e-5", "bfloat16, 2e-2"})
  void normKernelsMatchTheFormulasAndPassGradients(String dtype, double tolerance) {
    int rows = 3, d = 16;
    double alpha = 0.7, eps = 1e-5;
    float[] x = random(rows * d, 7);
    float[] w = random(d, 8);
    try (NDManager m = NDManager.newBaseManager(Device.cpu()); Kernels kernels = Kernels.load(dtype, m)) {
      NDArray xa = Tensors.of(m, x, new Shape(rows, d));
      NDArray aa = Tensors.of(m, new float[] {(float) alpha}, new Shape(1));
      NDArray wa = Tensors.of(m, w, new Shape(d));
      for (NDArray a : new NDArray[] {xa, aa, wa}) {
        a.setRequiresGradient(true);
      }
      float[] dyt;
      float[] rms;
      try (Autograd rec = Autograd.record()) {
        NDArray y = kernels.dyt(xa, aa, wa);
        NDArray z = kernels.rmsNorm(xa, wa);
        dyt = y.toFloatArray();
        rms = z.toFloatArray();
        Autograd.backward(y.sum().add(z.sum()));
      }
      for (int r = 0; r < rows; r++) {
        double ms = 0;
        for (int i = 0; i < d; i++) {
          ms += (double) x[r * d + i] * x[r * d + i] / d;
        }
        for (int i = 0; i < d; i++) {
          int at = r * d + i;
          double expectDyt = w[i] * Math.tanh(alpha * x[at]);
          double expectRms = x[at] / Math.sqrt(ms + eps) * w[i];
          assertEquals(expectDyt, dyt[at], tolerance * Math.max(1, Math.abs(expectDyt)), dtype + " dyt " + at);
          assertEquals(expectRms, rms[at], tolerance * Math.max(1, Math.abs(expectRms)), dtype + " rmsnorm " + at);
        }
      }
      for (NDArray a : new NDArray[] {xa, aa, wa}) {
        float[] g = a.getGradient().toFloatArray();
        double norm = 0;
        for (float v : g) {
          assertTrue(Float.isFinite(v), dtype + " gradient is finite");
          norm += Math.abs(v);
        }
        assertTrue(norm > 0, dtype + " gradient reaches an input of shape " + a.getShape());
      }
    }
  }

  @Test
  void unknownDtypeIsRefusedNamingTheKey() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      var e = assertThrows(DytrainException.class, () -> Kernels.load("float16", m));
      assertTrue(e.getMessage().contains("model.dtype = 'float16'") && e.getMessage().contains("float32, bfloat16"),
          e.getMessage());
    }
  }

  interface Attention3 {
    NDArray apply(NDArray q, NDArray k, NDArray v);
  }

  static float[][] gradients(NDManager m, float[][] inputs, NDArray dy, Attention3 attention) {
    NDArray q = Tensors.of(m, inputs[0], new Shape(B, H, T, D));
    NDArray k = Tensors.of(m, inputs[1], new Shape(B, KV, T, D));
    NDArray v = Tensors.of(m, inputs[2], new Shape(B, KV, T, D));
    for (NDArray a : new NDArray[] {q, k, v}) {
      a.setRequiresGradient(true);
    }
    try (Autograd rec = Autograd.record()) {
      Autograd.backward(attention.apply(q, k, v), dy);
    }
    return new float[][] {q.getGradient().toFloatArray(), k.getGradient().toFloatArray(), v.getGradient().toFloatArray()};
  }

  /** softmax(q k^T / sqrt(d) + mask) v with DJL's element-wise ops, key heads shared by H / KV query heads. */
  static NDArray unfusedAttention(NDArray q, NDArray k, NDArray v) {
    float[] mask = new float[T * T];
    for (int i = 0; i < T; i++) {
      for (int j = i + 1; j < T; j++) {
        mask[i * T + j] = Float.NEGATIVE_INFINITY;
      }
    }
    NDArray qg = q.reshape(B, KV, H / KV, T, D);
    NDArray scores = qg.matMul(k.expandDims(2).swapAxes(-1, -2)).mul(Tensors.scalar(q, 1 / Math.sqrt(D)))
        .add(Tensors.of(q.getManager(), mask, new Shape(T, T)));
    return scores.softmax(-1).matMul(v.expandDims(2)).reshape(B, H, T, D);
  }

  /** The textbook loop, in doubles. */
  static double[] plainJavaAttention(float[] q, float[] k, float[] v) {
    double[] y = new double[B * H * T * D];
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < H; h++) {
        int kvHead = h / (H / KV);
        for (int i = 0; i < T; i++) {
          double[] p = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int d = 0; d < D; d++) {
              dot += q[((b * H + h) * T + i) * D + d] * k[((b * KV + kvHead) * T + j) * D + d];
            }
            p[j] = dot / Math.sqrt(D);
            max = Math.max(max, p[j]);
          }
          double sum = 0;
          for (int j = 0; j <= i; j++) {
            p[j] = Math.exp(p[j] - max);
            sum += p[j];
          }
          for (int j = 0; j <= i; j++) {
            for (int d = 0; d < D; d++) {
              y[((b * H + h) * T + i) * D + d] += p[j] / sum * v[((b * KV + kvHead) * T + j) * D + d];
            }
          }
        }
      }
    }
    return y;
  }

  static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }

  /** Round to nearest even bfloat16 (the top 16 bits of a float). */
  static float bf16(float x) {
    int bits = Float.floatToRawIntBits(x);
    bits += 0x7FFF + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(bits & 0xFFFF0000);
  }
}
