package dytrain.model.norm;

import ai.djl.ndarray.NDArray;

/** {@code w * (x - mean) / sqrt(var + eps) + b}, the biased variance as in torch.nn.LayerNorm. */
public record LayerNorm(NDArray weight, NDArray bias, double eps) implements Norm {
  @Override
  public NDArray forward(NDArray x) {
    NDArray centered = x.sub(x.mean(new int[] {-1}, true));
    NDArray std = centered.square().mean(new int[] {-1}, true).add(eps).sqrt();
    return centered.div(std).mul(weight).add(bias);
  }
}
