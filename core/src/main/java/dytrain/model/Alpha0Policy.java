package dytrain.model;

import dytrain.config.Alpha0Table;
import dytrain.config.ModelConfig;

/**
 * The initial alpha of DyT/Derf layers as a function of model width ({@link Alpha0Table#DEFAULT}: the DyT
 * paper's tables of optimal alpha0 for LLaMA from width 1024, dytrain's measured sweep below). The table
 * points are exact; between them alpha0 is linear in log2(width); outside it is clamped. Explicit config values win over the policy; a
 * {@code model.alpha0_table} replaces it.
 *
 * @param attention alpha0 of the norm before attention
 * @param other alpha0 of the norm before the MLP and of the final norm
 * @param source "policy", "config" or "table FILE", printed at start and stored with checkpoints
 */
public record Alpha0Policy(double attention, double other, String source) {

  /** The policy's values for a width, ignoring any config override. */
  public static Alpha0Policy forWidth(int width) {
    if (width <= 0) {
      throw new IllegalArgumentException("width must be positive, got " + width);
    }
    Alpha0Table.Row row = Alpha0Table.DEFAULT.at(width);
    return new Alpha0Policy(row.attention(), row.other(), "policy");
  }

  /**
   * The values in force for a model: explicit config values where given, the width policy elsewhere. A
   * {@code model.alpha0_table} has already filled both values when the config was resolved.
   */
  public static Alpha0Policy of(ModelConfig model) {
    if (model.alpha0Table() != null) {
      return new Alpha0Policy(model.alpha0Attention(), model.alpha0Other(), "table " + model.alpha0Table());
    }
    Alpha0Policy policy = forWidth(model.hiddenSize());
    if (model.alpha0Attention() == null && model.alpha0Other() == null) {
      return policy;
    }
    return new Alpha0Policy(
        model.alpha0Attention() != null ? model.alpha0Attention() : policy.attention,
        model.alpha0Other() != null ? model.alpha0Other() : policy.other,
        "config");
  }

  @Override
  public String toString() {
    return String.format("alpha0 attention=%s other=%s (%s)", attention, other, source);
  }
}
