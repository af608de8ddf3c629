package dytrain.model;

import dytrain.config.ModelConfig;

/**
 * The initial alpha of DyT/Derf layers as a function of model width (DyT paper, tables of optimal alpha0
 * for LLaMA). The table points are exact; between them alpha0 is linear in log2(width); outside it is
 * clamped. Explicit config values win over the policy.
 *
 * @param attention alpha0 of the norm before attention
 * @param other alpha0 of the norm before the MLP and of the final norm
 * @param source "policy" or "config", printed at start and stored with checkpoints
 */
public record Alpha0Policy(double attention, double other, String source) {

  private static final int[] WIDTHS = {1024, 2048, 4096, 5120, 8192};
  private static final double[] ATTENTION = {1.0, 1.0, 0.8, 0.6, 0.2};
  private static final double[] OTHER = {1.0, 0.5, 0.2, 0.15, 0.05};

  /** The policy's values for a width, ignoring any config override. */
  public static Alpha0Policy forWidth(int width) {
    if (width <= 0) {
      throw new IllegalArgumentException("width must be positive, got " + width);
    }
    return new Alpha0Policy(interpolate(ATTENTION, width), interpolate(OTHER, width), "policy");
  }

  /** The values in force for a model: explicit config values where given, the width policy elsewhere. */
  public static Alpha0Policy of(ModelConfig model) {
    Alpha0Policy policy = forWidth(model.hiddenSize());
    if (model.alpha0Attention() == null && model.alpha0Other() == null) {
      return policy;
    }
    return new Alpha0Policy(
        model.alpha0Attention() != null ? model.alpha0Attention() : policy.attention,
        model.alpha0Other() != null ? model.alpha0Other() : policy.other,
        "config");
  }

  private static double interpolate(double[] values, int width) {
    if (width <= WIDTHS[0]) {
      return values[0];
    }
    int last = WIDTHS.length - 1;
    if (width >= WIDTHS[last]) {
      return values[last];
    }
    int i = 0;
    while (width > WIDTHS[i + 1]) {
      i++;
    }
    if (width == WIDTHS[i + 1]) {
      return values[i + 1];
    }
    double lo = log2(WIDTHS[i]);
    double t = (log2(width) - lo) / (log2(WIDTHS[i + 1]) - lo);
    return values[i] + t * (values[i + 1] - values[i]);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Override
  public String toString() {
    return String.format("alpha0 attention=%s other=%s (%s)", attention, other, source);
  }
}
