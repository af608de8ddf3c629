package dytrain.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dytrain.config.ModelConfig;
import java.util.ArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelGradientTest {

  /** The whole tiny model's loss gradient, every tensor sampled, against finite differences. */
  @ParameterizedTest
  @ValueSource(strings = {"dyt", "derf", "rmsnorm", "layernorm"})
  void wholeModelGradientMatchesFiniteDifferences(String normType) {
    ModelConfig config = TinyModels.config("model.norm_type=" + normType, "model.num_layers=1");
    try (Llama model = Llama.init(config, 9, Device.cpu(), DataType.FLOAT64); NDScope scope = new NDScope()) {
      TinyModels.perturb(model, 1);
      var m = model.parameters().manager();
      NDArray inputs = m.create(new long[] {1, 5, 9, 33, 2, 60, 7, 8}, new Shape(2, 4));
      NDArray targets = m.create(new long[] {5, 9, 33, 2, 60, 7, 8, 1}, new Shape(2, 4));
      GradientCheck.check(
          () -> model.loss(inputs, targets), new ArrayList<>(model.parameters().all().values()), 6);
    }
  }
}
