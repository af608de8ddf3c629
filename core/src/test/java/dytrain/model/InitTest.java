package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Embeddings and linear layers start normal(0, init_std); norm weights start at one. */
class InitTest {
  @ParameterizedTest
  @ValueSource(doubles = {0.02, 0.1})
  void matricesAreNormalWithTheConfiguredStd(double std) {
    var config = TinyModels.config("model.init_std=" + std, "model.hidden_size=64", "model.intermediate_size=96");
    try (Llama model = Llama.init(config, 9)) {
      int matrices = 0;
      for (Map.Entry<String, float[]> e : TinyModels.floats(model).entrySet()) {
        float[] v = e.getValue();
        if (model.parameters().get(e.getKey()).getShape().dimension() != 2) {
          if (e.getKey().endsWith("layernorm.weight") || e.getKey().equals("model.norm.weight")) {
            for (float x : v) assertEquals(1f, x, e.getKey());
          }
          continue;
        }
        matrices++;
        double mean = 0;
        for (float x : v) mean += x;
        mean /= v.length;
        double var = 0;
        for (float x : v) var += (x - mean) * (x - mean);
        double sd = Math.sqrt(var / v.length);
        assertTrue(Math.abs(mean) < 5 * std / Math.sqrt(v.length), e.getKey() + " mean " + mean);
        assertEquals(std, sd, 0.1 * std, e.getKey() + " std");
      }
      assertTrue(matrices >= 2 + 7 * config.numLayers(), "embedding, head and 7 matrices a layer: " + matrices);
    }
  }
}
