package dytrain.model.norm;

import ai.djl.ndarray.NDArray;

/** {@code w * x / sqrt(mean(x^2) + eps)} (LLaMA's norm; DJL has no rsqrt, so divide by sqrt). */
public record RmsNorm(NDArray weight, double eps) implements Norm {
  @Override
  public NDArray forward(NDArray x) {
    NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
    return x.div(rms).mul(weight);
  }
}
