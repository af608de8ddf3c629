package dytrain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dytrain.model.Autograd;
import java.util.Collection;

/**
 * Global-norm gradient clipping (Pascanu et al. 2013), as torch.nn.utils.clip_grad_norm_: the norm is
 * taken over all gradients together. DJL's own clip is per element, which changes the direction.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /** sqrt of the sum of squares of every gradient element. */
  public static double globalNorm(Collection<NDArray> parameters) {
    double sum = 0;
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      for (NDArray p : parameters) {
        sum += p.getGradient().toType(DataType.FLOAT64, false).square().sum().getDouble();
      }
    }
    return Math.sqrt(sum);
  }

  /** Scales every gradient by min(1, maxNorm / norm); returns the norm before clipping. */
  public static double clip(Collection<NDArray> parameters, double maxNorm) {
    double norm = globalNorm(parameters);
    if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
      double scale = maxNorm / (norm + 1e-6);
      try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
        for (NDArray p : parameters) {
          p.getGradient().muli(scale);
        }
      }
    }
    return norm;
  }
}
