package dytrain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dytrain.model.Autograd;
import dytrain.model.OptimizerKernels;
import java.util.Collection;
import java.util.List;

/**
 * Global-norm gradient clipping (Pascanu et al. 2013), as torch.nn.utils.clip_grad_norm_: the norm is
 * taken over all gradients together. DJL's own clip is per element, which changes the direction.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /** sqrt of the sum of squares of every gradient element, accumulated in fp64. */
  public static double globalNorm(Collection<NDArray> parameters) {
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      return OptimizerKernels.globalNorm(gradients(parameters));
    }
  }

  /** Scales every gradient by min(1, maxNorm / norm); returns the norm before clipping. */
  public static double clip(Collection<NDArray> parameters, double maxNorm) {
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      List<NDArray> grads = gradients(parameters);
      double norm = OptimizerKernels.globalNorm(grads);
      if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
        OptimizerKernels.scale(grads, maxNorm / (norm + 1e-6));
      }
      return norm;
    }
  }

  private static List<NDArray> gradients(Collection<NDArray> parameters) {
    return parameters.stream().map(NDArray::getGradient).toList();
  }
}
