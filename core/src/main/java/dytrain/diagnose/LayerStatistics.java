package dytrain.diagnose;

import dytrain.config.NormType;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoubleUnaryOperator;
import org.apache.commons.math3.special.Erf;

/**
 * What one norm layer did to a token sample.
 *
 * <p>{@code alpha} is the scale the layer applies to its input before its S-curve or its weight: the learned
 * scalar of dyt and derf; for rmsnorm and layernorm, which scale each token by its own 1/rms (1/std), the
 * mean of that per-token scale over the sample. {@code squashingFraction} is the fraction of input elements
 * whose scaled value z lies beyond 1 in magnitude: z = alpha x for dyt, alpha x + shift for derf (where tanh
 * and erf bend), x / rms_t for rmsnorm and (x - mean_t) / std_t for layernorm, which are linear within a
 * token: there it only says how many elements lie beyond their token's own scale.
 *
 * @param elements input elements measured: tokens x hidden size
 * @param inputStd std of every input element of the layer (the DyT paper's Figure 8 plots alpha against 1/std)
 * @param shift derf's learned shift; empty for the other norms
 * @param pointInputs sampled input elements, the same positions (token, channel) in every layer
 * @param pointOutputs the layer's output at those positions with its per-channel affine undone,
 *     (y - b_c) / w_c, as the DyT paper plots outputs before the norm's affine transformation (Figure 2); elements
 *     of a channel whose weight is 0, and values that are not finite, are left out
 */
public record LayerStatistics(String layer, NormType norm, long elements, double inputMean, double inputStd,
    double alpha, OptionalDouble shift, double squashingFraction, float[] pointInputs, float[] pointOutputs) {

  public double inverseStd() {
    return 1 / inputStd;
  }

  /** Whether alpha is a learned parameter (dyt, derf) rather than measured from each token's scale. */
  public boolean learnsAlpha() {
    return norm == NormType.DYT || norm == NormType.DERF;
  }

  /**
   * The S-curve the layer learned, input to output before the affine: {@code tanh(alpha x)} for dyt,
   * {@code erf(alpha x + shift)} for derf; none for rmsnorm and layernorm, whose map depends on the token.
   */
  public Optional<DoubleUnaryOperator> learnedCurve() {
    return switch (norm) {
      case DYT -> Optional.of(x -> Math.tanh(alpha * x));
      case DERF -> Optional.of(x -> Erf.erf(alpha * x + shift.orElseThrow()));
      case RMSNORM, LAYERNORM -> Optional.empty();
    };
  }
}
