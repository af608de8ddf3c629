package dytrain.model.norm;

import ai.djl.ndarray.NDArray;

/**
 * Dynamic Tanh, {@code w * tanh(alpha * x) [+ b]} with one learnable scalar alpha per layer
 * (Zhu et al., "Transformers without Normalization", 2025, sec. 3). Element-wise: no reduction.
 */
public record DynamicTanh(NDArray alpha, NDArray weight, NDArray bias) implements Norm {
  @Override
  public NDArray forward(NDArray x) {
    NDArray y = x.mul(alpha).tanh().mul(weight);
    return bias == null ? y : y.add(bias);
  }
}
