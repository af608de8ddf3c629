package dytrain.cli;

import dytrain.config.ModelConfig;
import dytrain.config.NormType;
import dytrain.diagnose.Diagnosis;
import dytrain.diagnose.LayerStatistics;
import dytrain.diagnose.NormDiagnosis;
import java.util.List;

/** SUMMARY.md of a diagnosis: what was measured on what, the statistics as tables, the plots and how to read them. */
final class DiagnoseMarkdown {
  private DiagnoseMarkdown() {}

  static final String FILE = "SUMMARY.md";

  static String of(List<Diagnosis> models, String data, String split, long requested, List<String> pngs) {
    StringBuilder md = new StringBuilder("# Norm diagnosis\n\n| | model | norm | shape | trained in | measured | tokens |\n"
        + "|---|---|---|---|---|---|---|\n");
    for (int m = 0; m < models.size(); m++) {
      Diagnosis d = models.get(m);
      ModelConfig c = d.config();
      md.append(String.format("| %c | `%s` | %s%s | %d layers x %d | %s | %s | %,d |%n", 'A' + m, d.folder(), c.normType().key(),
          learnsAlpha(c.normType()) && c.normBias() ? " with bias" : "", // norm_bias is a key of dyt and derf only
          c.numLayers(), c.hiddenSize(), c.dtype(), measured(d), d.tokens()));
    }
    md.append(String.format("%nMeasured on the first tokens of split `%s` of `%s` in stored order (%,d asked for; whole"
        + " sequences of the model's max_seq_len, or all the split holds), in an fp32 forward pass without gradients.%n",
        split, data, requested));

    md.append("\n## Statistics of each norm layer\n\n");
    for (int m = 0; m < models.size(); m++) {
      statistics(md, (char) ('A' + m), models.get(m));
    }
    md.append("""
        *input std*: the std of every element of the layer's input over the tokens. *alpha*: the scale the layer \
        applies before its S-curve: the learned scalar of dyt and derf; for rmsnorm (layernorm) the mean over \
        tokens of each token's own 1/rms (1/std), the scale those norms apply. *alpha x std* is 1 where alpha \
        equals 1/std: the DyT paper finds alpha tracking 1/std of the input (its Figure 8). *squashed*: the share of input elements \
        with \\|z\\| > 1, where z = alpha x (dyt), alpha x + shift (derf), x / rms_t (rmsnorm) or \
        (x - mean_t) / std_t (layernorm): tanh and erf bend there, while rmsnorm and layernorm are linear \
        within a token, so for them it only counts the elements beyond their token's own scale.
        """);

    md.append("\n## S-curves\n\n").append(image(pngs, DiagnoseCommand.S_CURVES, "input against output of each norm layer"));
    md.append(String.format("""
        Each panel plots %,d input elements of one layer (or all, if fewer), at the same (token, channel) \
        positions in every layer and every model, against the layer's output there with its per-channel \
        affine undone, (y - b_c) / w_c, as the DyT paper plots outputs before the norm's affine transformation \
        (its Figure 2). For dyt and derf the red line is the learned tanh(alpha x) or erf(alpha x + shift); the \
        points lie on it, and where they fall along it shows how much of the input is squashed. rmsnorm and \
        layernorm have no single curve: each token's points lie on a line of slope 1/rms_t (layernorm: 1/std_t, \
        through the token's mean), and an S-shape appears when the tokens with the largest values are scaled \
        down the most, as the paper explains for LayerNorm.%n""",
        NormDiagnosis.POINTS_PER_LAYER));

    md.append("\n## alpha against 1/std of the input (DyT paper, Figure 8)\n\n")
        .append(image(pngs, DiagnoseCommand.ALPHA_VS_INVERSE_STD, "alpha against 1/std"));
    if (pngs.contains(DiagnoseCommand.ALPHA_OVER_STEPS)) {
      md.append(image(pngs, DiagnoseCommand.ALPHA_OVER_STEPS, "alpha and 1/std over training"));
    }
    md.append("""
        One point per layer and checkpoint, joined in step order (an export or a single checkpoint gives one \
        point per layer); the dashed line is alpha = 1/std.
        """);
    for (int m = 0; m < models.size(); m++) {
      overTraining(md, (char) ('A' + m), models.get(m));
    }
    return md.toString();
  }

  private static boolean learnsAlpha(NormType norm) {
    return norm == NormType.DYT || norm == NormType.DERF;
  }

  private static String measured(Diagnosis d) {
    if (d.snapshots().size() > 1) {
      return String.format("%d checkpoints, steps %d to %d", d.snapshots().size(),
          d.snapshots().get(0).step().orElseThrow(), d.newest().step().orElseThrow());
    }
    return d.newest().step().isPresent() ? "checkpoint at step " + d.newest().step().getAsLong() : "export";
  }

  private static void statistics(StringBuilder md, char model, Diagnosis d) {
    NormType norm = d.config().normType();
    String when = d.newest().step().isPresent() ? ", step " + d.newest().step().getAsLong() : "";
    md.append("### ").append(model).append(": ").append(norm.key()).append(when).append("\n\n");
    boolean shift = norm == NormType.DERF;
    md.append("| layer | input std | 1/std | alpha | alpha x std |").append(shift ? " shift |" : "")
        .append(" squashed, \\|z\\| > 1 |\n|---|---|---|---|---|").append(shift ? "---|" : "").append("---|\n");
    for (LayerStatistics s : d.newest().layers()) {
      md.append(String.format("| %s | %.4g | %.4g | %.4g | %.3g |", s.layer(), s.inputStd(), s.inverseStd(), s.alpha(),
          s.alpha() * s.inputStd()));
      if (shift) {
        md.append(String.format(" %.4g |", s.shift().orElseThrow()));
      }
      md.append(String.format(" %.1f%% |%n", 100 * s.squashingFraction()));
    }
    md.append('\n');
  }

  /** For a run folder: alpha and 1/std of every layer at every checkpoint, the numbers behind Figure 8. */
  private static void overTraining(StringBuilder md, char model, Diagnosis d) {
    if (d.snapshots().size() < 2) {
      return;
    }
    List<LayerStatistics> layers = d.newest().layers();
    md.append("\n### ").append(model).append(": alpha / (1/std) at each checkpoint\n\n| step |");
    layers.forEach(s -> md.append(' ').append(s.layer()).append(" |"));
    md.append("\n|---|").append("---|".repeat(layers.size())).append('\n');
    for (Diagnosis.Snapshot snapshot : d.snapshots()) {
      md.append("| ").append(snapshot.step().orElseThrow()).append(" |");
      snapshot.layers().forEach(s -> md.append(String.format(" %.3g / %.3g |", s.alpha(), s.inverseStd())));
      md.append('\n');
    }
  }

  private static String image(List<String> pngs, String name, String alt) {
    return pngs.contains(name) ? "![" + alt + "](" + name + ")\n\n" : "";
  }
}
