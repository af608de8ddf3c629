package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dytrain.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelSizeTest {

  /** The closed-form count equals the number of scalars the model actually allocates. */
  @ParameterizedTest
  @ValueSource(strings = {"rmsnorm", "layernorm", "dyt", "derf"})
  void countMatchesAllocatedTensors(String normType) {
    for (String tied : List.of("true", "false")) {
      var config = TinyModels.config("model.norm_type=" + normType, "model.norm_bias=true", "model.tie_embeddings=" + tied);
      try (Llama model = Llama.init(config, 1)) {
        assertEquals(model.parameters().count(), ModelSize.of(config).total(), normType + " tied=" + tied);
      }
    }
  }

  /** Published sizes of the LLaMA shapes (DyT variant: + alpha per norm and embed_scale). */
  @ParameterizedTest
  @CsvSource({"llama-7b, 6.74e9", "llama-13b, 13.02e9", "llama-34b, 33.74e9", "llama-70b, 68.98e9"})
  void llamaShapesHaveTheirPublishedSizes(String name, double published) {
    var config = ConfigLoader.load(Path.of("../configs/" + name + ".yaml"), List.of()).model();
    double total = ModelSize.of(config).total();
    assertEquals(published, total, published * 0.005, name);
  }

  /**
   * Exact counts of the Hugging Face checkpoints of these shapes (Llama-2 7B, 13B, 70B; CodeLlama 34B) as
   * rmsnorm models; DyT adds one alpha per norm (2 per layer + the final one) and embed_scale.
   */
  @ParameterizedTest
  @CsvSource({"llama-7b, 6738415616", "llama-13b, 13015864320", "llama-34b, 33743970304", "llama-70b, 68976648192"})
  void llamaShapesCountExactlyAsTheirCheckpoints(String name, long checkpoint) {
    var rms = ConfigLoader.load(Path.of("../configs/" + name + ".yaml"), List.of("model.norm_type=rmsnorm")).model();
    assertEquals(checkpoint, ModelSize.of(rms).total(), name);
    var dyt = ConfigLoader.load(Path.of("../configs/" + name + ".yaml"), List.of("model.norm_type=dyt")).model();
    assertEquals(checkpoint + 2L * dyt.numLayers() + 1 + 1, ModelSize.of(dyt).total(), name + " as dyt");
    assertEquals(2L * dyt.vocabSize() * dyt.hiddenSize(), ModelSize.of(dyt).embedding(), name + " embedding and head");
  }
}
