package dytrain.model.norm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dytrain.model.Tensors;

/**
 * {@code w * x / sqrt(mean(x^2) + eps)} (LLaMA's norm). The inverse root is taken on the small row vector
 * (DJL has no rsqrt: a power of -0.5) and the whole tensor multiplied by it: a division there would cost
 * the backward pass two more whole-tensor passes.
 *
 * <p>A 16-bit input is normalised in fp32 and cast back before the weight, as LLaMA's reference code and
 * Hugging Face's LlamaRMSNorm do: x^2 overflows float16 for |x| above 256. Those two casts are why the
 * DyT paper, in bf16, finds RMSNorm so much slower than DyT, which needs no such upcast (BENCHMARKS.md).
 * DJL's cast does not carry gradients, so that path is forward-only (benchmarks): a bf16 model keeps its
 * norms in fp32 and casts only inside its kernels (dytrain.model.Kernels).
 */
public record RmsNorm(NDArray weight, double eps, NDArray epsScalar, NDArray inverseRoot) implements Norm {

  /**
   * The norm of {@code weight}. Its two scalars are made once, as tensors libtorch owns: not {@code add(eps)}
   * and {@code pow(-0.5)}, whose scalars DJL frees right after the op while autograd keeps them for the
   * backward pass, which then read freed memory whenever the collector ran in between
   * (GarbageCollectionSafetyTest).
   */
  public static RmsNorm of(NDArray weight, double eps) {
    return new RmsNorm(weight, eps, Tensors.scalar(weight, eps), Tensors.scalar(weight, -0.5));
  }

  @Override
  public NDArray forward(NDArray x) {
    if (x.getDataType() != DataType.FLOAT16) {
      return normalize(x).mul(weight);
    }
    if (x.hasGradient()) {
      throw new IllegalStateException("RMSNorm in float16 is forward-only: DJL's dtype cast does not carry gradients");
    }
    return normalize(x.toType(DataType.FLOAT32, false)).toType(DataType.FLOAT16, false).mul(weight);
  }

  private NDArray normalize(NDArray x) {
    return x.mul(x.square().mean(new int[] {-1}, true).add(epsScalar).pow(inverseRoot));
  }
}
