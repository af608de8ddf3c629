package dytrain.model.norm;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * Dynamic Tanh, {@code w * tanh(alpha * x) [+ b]} with one learnable scalar alpha per layer
 * (Zhu et al., "Transformers without Normalization", 2025, sec. 3). Element-wise: no reduction.
 *
 * <p>Computed as {@code 2w * sigmoid(2 alpha x) - w [+ b]}, the same function (tanh(z) = 2 sigmoid(2z) - 1):
 * libtorch's CPU tanh costs four of its sigmoids (BENCHMARKS.md, norm layers), and doubling alpha and w is
 * exact in floating point. Near zero the subtraction leaves an absolute error of about |w| * 1e-7.
 */
public record DynamicTanh(NDArray alpha, NDArray weight, NDArray bias) implements Norm {
  @Override
  public NDArray forward(NDArray x) {
    NDArray s = Activation.sigmoid(x.mul(alpha.add(alpha)));
    NDArray shift = bias == null ? weight : weight.sub(bias);
    return s.mul(weight.add(weight)).subi(shift); // in place: mul's backward needs its inputs, not its output
  }
}
