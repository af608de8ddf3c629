package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dytrain.config.ModelConfig;
import dytrain.model.norm.Norm;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NormGradientTest {

  /** d(sum(norm(x) * r))/d(everything) against finite differences, for every tensor the norm owns. */
  @ParameterizedTest
  @ValueSource(strings = {"rmsnorm", "layernorm", "dyt", "derf"})
  void gradientsMatchFiniteDifferences(String normType) {
    ModelConfig config = TinyModels.config("model.norm_type=" + normType, "model.norm_bias=true");
    try (Parameters params = Parameters.create(Device.cpu(), DataType.FLOAT64, 1);
        NDScope scope = new NDScope()) {
      Norm norm = Norm.create(config, "n", 0.7, params);
      NDManager m = params.manager();
      Random r = new Random(2);
      int d = config.hiddenSize();
      NDArray x = m.create(gaussian(r, 3 * d, 1.5), new Shape(3, d));
      x.setName("x");
      x.setRequiresGradient(true);
      NDArray weights = m.create(gaussian(r, 3 * d, 1.0), new Shape(3, d));
      List<NDArray> inputs = new ArrayList<>(params.all().values());
      try (Autograd off = Autograd.noGrad()) {
        for (NDArray p : inputs) { // leave the identity-like init so every term of the gradient shows
          double[] v = p.toDoubleArray();
          for (int i = 0; i < v.length; i++) {
            v[i] += 0.3 * r.nextGaussian();
          }
          p.set(DoubleBuffer.wrap(v));
        }
      }
      inputs.add(x);
      GradientCheck.check(() -> norm.forward(x).mul(weights).sum(), inputs, 64);
    }
  }

  @Test
  void dynamicTanhAndErfMatchPlainJava() {
    for (String type : List.of("dyt", "derf")) {
      ModelConfig config = TinyModels.config("model.norm_type=" + type, "model.norm_bias=true");
      try (Parameters params = Parameters.create(Device.cpu(), DataType.FLOAT32, 1);
          NDScope scope = new NDScope();
          Autograd off = Autograd.noGrad()) {
        Norm norm = Norm.create(config, "n", 0.8, params);
        int d = config.hiddenSize();
        Random r = new Random(4);
        float[] w = floats(gaussian(r, d, 1.0));
        float[] b = floats(gaussian(r, d, 1.0));
        params.get("n.weight").set(w);
        params.get("n.bias").set(b);
        float shift = 0.25f;
        if (type.equals("derf")) {
          params.get("n.shift").set(new float[] {shift});
        }
        float[] x = floats(gaussian(r, 2 * d, 2.0));
        float[] y = norm.forward(params.manager().create(x, new Shape(2, d))).toFloatArray();
        for (int i = 0; i < x.length; i++) {
          int c = i % d;
          double expected = type.equals("dyt")
              ? w[c] * Math.tanh(0.8 * x[i]) + b[c]
              : w[c] * Erf.erf(0.8 * x[i] + shift) + b[c];
          assertEquals(expected, y[i], 1e-5, type + " element " + i);
        }
      }
    }
  }

  /** In float16, x^2 overflows above 256: RMSNorm must normalise in fp32, as LLaMA's reference does. */
  @Test
  void rmsNormOfFloat16InputIsComputedInFloat32() {
    ModelConfig config = TinyModels.config("model.norm_type=rmsnorm");
    try (Parameters params = Parameters.create(Device.cpu(), DataType.FLOAT16, 1);
        NDScope scope = new NDScope();
        Autograd off = Autograd.noGrad()) {
      Norm norm = Norm.create(config, "n", 0, params);
      int d = config.hiddenSize();
      Random r = new Random(5);
      float[] w = floats(gaussian(r, d, 1.0));
      NDArray weight = params.get("n.weight");
      weight.set(params.manager().create(w).toType(DataType.FLOAT16, false).toByteBuffer());
      float[] w16 = weight.toType(DataType.FLOAT32, false).toFloatArray();
      float[] x = floats(gaussian(r, 2 * d, 1000.0)); // rows whose squares are far beyond float16's 65504
      NDArray input = params.manager().create(x, new Shape(2, d)).toType(DataType.FLOAT16, false);
      NDArray y = norm.forward(input);
      assertEquals(DataType.FLOAT16, y.getDataType());
      float[] got = y.toType(DataType.FLOAT32, false).toFloatArray();
      float[] xs = input.toType(DataType.FLOAT32, false).toFloatArray(); // x as float16 holds it
      for (int row = 0; row < 2; row++) {
        double sumSquares = 0;
        for (int c = 0; c < d; c++) {
          sumSquares += (double) xs[row * d + c] * xs[row * d + c];
        }
        double inverseRms = 1 / Math.sqrt(sumSquares / d + config.normEps());
        for (int c = 0; c < d; c++) {
          double expected = w16[c] * xs[row * d + c] * inverseRms;
          assertEquals(expected, got[row * d + c], 4e-3 * Math.max(1, Math.abs(expected)), "row " + row + " channel " + c);
        }
      }
    }
  }

  static double[] gaussian(Random r, int n, double std) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian() * std;
    }
    return v;
  }

  static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
