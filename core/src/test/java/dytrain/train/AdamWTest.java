package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dytrain.config.ConfigLoader;
import dytrain.config.TrainConfig;
import dytrain.model.Autograd;
import dytrain.model.Parameters;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AdamW against a plain-Java AdamW with decoupled decay, over steps with changing gradients and lr. */
class AdamWTest {
  private static final double[] LR = {1e-2, 5e-3, 2e-2};

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void matchesPlainJavaAdamW(boolean decay1d) {
    TrainConfig t = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of("train.decay_1d=" + decay1d)).train();
    assertEquals(0.9, t.beta1());
    assertEquals(0.95, t.beta2());
    assertEquals(1e-8, t.eps());
    assertEquals(0.1, t.weightDecay());
    Map<String, float[]> values = new LinkedHashMap<>();
    values.put("matrix", new float[] {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f});
    values.put("vector", new float[] {1.0f, -2.0f});
    Map<String, long[]> shapes = Map.of("matrix", new long[] {2, 3}, "vector", new long[] {2});
    Map<String, double[]> reference = new LinkedHashMap<>();
    values.forEach((k, v) -> reference.put(k, toDouble(v)));
    Map<String, double[]> m = new LinkedHashMap<>();
    Map<String, double[]> v = new LinkedHashMap<>();
    reference.forEach((k, p) -> {
      m.put(k, new double[p.length]);
      v.put(k, new double[p.length]);
    });
    try (Parameters params = Parameters.of(Device.cpu(), DataType.FLOAT32, values, shapes)) {
      AdamW adam = new AdamW(params, t);
      for (int step = 0; step < LR.length; step++) {
        for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
          double[] g = gradient(e.getKey(), step, reference.get(e.getKey()).length);
          setGradient(e.getValue(), g);
          boolean decays = shapes.get(e.getKey()).length >= 2 || decay1d;
          referenceStep(reference.get(e.getKey()), g, m.get(e.getKey()), v.get(e.getKey()), step + 1, LR[step], t, decays);
        }
        adam.step(LR[step]);
      }
      for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
        assertArrayEquals(toFloat(reference.get(e.getKey())), e.getValue().toFloatArray(), 1e-6f, e.getKey());
      }
    }
  }

  private static void referenceStep(double[] p, double[] g, double[] m, double[] v, int t, double lr, TrainConfig c,
      boolean decays) {
    for (int i = 0; i < p.length; i++) {
      m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g[i];
      v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g[i] * g[i];
      if (decays) p[i] -= lr * c.weightDecay() * p[i];
      double mHat = m[i] / (1 - Math.pow(c.beta1(), t));
      double vHat = v[i] / (1 - Math.pow(c.beta2(), t));
      p[i] -= lr * mHat / (Math.sqrt(vHat) + c.eps());
    }
  }

  private static double[] gradient(String name, int step, int n) {
    double[] g = new double[n];
    for (int i = 0; i < n; i++) g[i] = Math.sin(1.3 * i + 0.7 * step + name.length()) * (step + 1);
    return g;
  }

  /** Makes {@code g} the parameter's gradient: the gradient of sum(p * g). */
  private static void setGradient(NDArray p, double[] g) {
    if (!p.hasGradient()) p.setRequiresGradient(true);
    Autograd.zeroGradient(p);
    try (Autograd rec = Autograd.record()) {
      NDArray weights = p.getManager().create(toFloat(g), p.getShape());
      Autograd.backward(p.mul(weights).sum());
      weights.close();
    }
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }
}
