package dytrain.model.norm;

import ai.djl.ndarray.NDArray;
import dytrain.config.ModelConfig;
import dytrain.model.Parameters;

/**
 * A norm layer over the last axis. The four variants sit side by side, each a few lines of math;
 * {@link #create} picks one by {@code norm_type} (ARCHITECTURE.md, "The model").
 */
public sealed interface Norm permits RmsNorm, LayerNorm, DynamicTanh, DynamicErf {

  NDArray forward(NDArray x);

  /**
   * Creates the norm whose tensors are named {@code prefix.weight}, {@code prefix.bias}, ...
   *
   * @param alpha0 the initial alpha for dyt and derf (ignored by the others)
   */
  static Norm create(ModelConfig model, String prefix, double alpha0, Parameters params) {
    int width = model.hiddenSize();
    return switch (model.normType()) {
      case RMSNORM -> RmsNorm.of(params.constant(prefix + ".weight", 1, width), model.normEps());
      case LAYERNORM -> new LayerNorm(
          params.constant(prefix + ".weight", 1, width),
          params.constant(prefix + ".bias", 0, width),
          model.normEps());
      case DYT -> new DynamicTanh(
          params.constant(prefix + ".alpha", alpha0, 1),
          params.constant(prefix + ".weight", 1, width),
          model.normBias() ? params.constant(prefix + ".bias", 0, width) : null);
      case DERF -> new DynamicErf(
          params.constant(prefix + ".alpha", alpha0, 1),
          params.constant(prefix + ".shift", 0, 1),
          params.constant(prefix + ".weight", 1, width),
          model.normBias() ? params.constant(prefix + ".bias", 0, width) : null);
    };
  }
}
