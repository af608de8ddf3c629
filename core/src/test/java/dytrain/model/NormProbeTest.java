package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dytrain.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormProbeTest {

  @Test
  void theProbeSeesEveryNormInForwardOrderAndChangesNothing() {
    ModelConfig config = TinyModels.config();
    try (Llama model = Llama.init(config, 3); NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      TinyModels.perturb(model, 4);
      NDManager m = model.parameters().manager();
      long[] tokens = {3, 17, 42, 5, 63, 0, 9};
      List<String> seen = new ArrayList<>();
      List<float[]> outputs = new ArrayList<>();
      float[] probed = model.forward(m.create(tokens, new Shape(1, tokens.length)), (layer, norm, input, output) -> {
        seen.add(layer);
        outputs.add(output.toFloatArray());
        assertArrayEquals(norm.forward(input).toFloatArray(), output.toFloatArray(), 0f, layer);
      }).toFloatArray();
      float[] plain = model.forward(m.create(tokens, new Shape(1, tokens.length))).toFloatArray();

      assertEquals(List.of("model.layers.0.input_layernorm", "model.layers.0.post_attention_layernorm",
          "model.layers.1.input_layernorm", "model.layers.1.post_attention_layernorm", "model.norm"), seen);
      assertArrayEquals(plain, probed, 0f, "observing changes no logit");
      NDArray hidden = m.create(outputs.get(outputs.size() - 1), new Shape(tokens.length, config.hiddenSize()));
      float[] head = hidden.matMul(model.parameters().get("lm_head.weight").transpose()).toFloatArray();
      assertArrayEquals(plain, head, 1e-5f, "the final norm's output is what the LM head reads");
    }
  }
}
