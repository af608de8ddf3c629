package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.ModelConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The tiny model of configs/tiny.yaml, with overrides, for tests. */
public final class TinyModels {
  private TinyModels() {}

  public static ModelConfig config(String... overrides) {
    DytrainConfig c = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of(overrides));
    return c.model();
  }

  /** Every parameter copied out to Java float arrays. */
  public static Map<String, float[]> floats(Llama model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : model.parameters().all().entrySet()) {
      out.put(e.getKey(), e.getValue().toFloatArray());
    }
    return out;
  }

  /** Moves every parameter away from its init (norm weights at 1, alpha at alpha0) so tests see all terms. */
  public static void perturb(Llama model, long seed) {
    Random r = new Random(seed);
    try (Autograd off = Autograd.noGrad()) {
      for (NDArray p : model.parameters().all().values()) {
        double[] v = p.toType(DataType.FLOAT64, true).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
          v[i] += 0.1 * r.nextGaussian();
        }
        p.set(p.getManager().create(v).toType(p.getDataType(), false).toByteBuffer());
      }
    }
  }
}
