package dytrain.model.norm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code w * (x - mean) / sqrt(var + eps) + b}, the biased variance as in torch.nn.LayerNorm. libtorch's own
 * layer_norm kernel computes it: one fused pass forward and one backward, where the same math written as
 * whole-tensor ops costs six passes and a slow backward (BENCHMARKS.md, norm layers).
 */
public record LayerNorm(NDArray weight, NDArray bias, double eps) implements Norm {
  @Override
  public NDArray forward(NDArray x) {
    Shape lastAxis = new Shape(x.getShape().get(x.getShape().dimension() - 1));
    return x.getNDArrayInternal().layerNorm(x, lastAxis, weight, bias, (float) eps).singletonOrThrow();
  }
}
