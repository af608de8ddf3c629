package dytrain.model.norm;

import ai.djl.ndarray.NDArray;

/**
 * Dynamic erf (Derf), {@code w * erf(alpha * x + s) [+ b]} with learnable scalars alpha and shift s per
 * layer: DyT's S-curve with the error function and a learnable offset.
 */
public record DynamicErf(NDArray alpha, NDArray shift, NDArray weight, NDArray bias) implements Norm {
  @Override
  public NDArray forward(NDArray x) {
    // additions in place: no backward needs the tensor they overwrite (mul's needs its inputs, add's nothing)
    NDArray y = x.mul(alpha).addi(shift).erf().mul(weight);
    return bias == null ? y : y.addi(bias);
  }
}
