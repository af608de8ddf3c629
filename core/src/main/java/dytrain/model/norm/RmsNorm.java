package dytrain.model.norm;

import ai.djl.ndarray.NDArray;

/**
 * {@code w * x / sqrt(mean(x^2) + eps)} (LLaMA's norm). The inverse root is taken on the small row vector
 * (DJL has no rsqrt: a power of -0.5) and the whole tensor multiplied by it: a division there would cost
 * the backward pass two more whole-tensor passes.
 */
public record RmsNorm(NDArray weight, double eps) implements Norm {
  @Override
  public NDArray forward(NDArray x) {
    NDArray inverseRms = x.square().mean(new int[] {-1}, true).add(eps).pow(-0.5);
    return x.mul(inverseRms).mul(weight);
  }
}
