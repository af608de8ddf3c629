package dytrain.cli;

import dytrain.sweep.IsoFlopFit;
import dytrain.sweep.ParametricEstimate;
import dytrain.sweep.ResultRow;
import dytrain.sweep.SweepReport;
import java.nio.file.Path;
import java.util.List;

/** REPORT.md of a sweep folder: the report's numbers as tables, with the plots linked. */
final class SweepMarkdown {
  private SweepMarkdown() {}

  static String of(Path dir, List<ResultRow> rows, SweepReport.Result r, List<Path> pngs) {
    StringBuilder md = new StringBuilder("# Sweep report: ").append(dir.getFileName()).append("\n\n");
    long failed = rows.stream().filter(x -> x.status() == ResultRow.Status.FAILED).count();
    md.append(String.format("%d rows in results.csv, %d failed (not used below). Loss is the final validation loss"
        + " (nats/token); N counts every parameter; C = training FLOPs.%n%n", rows.size(), failed));
    for (Path png : pngs) md.append("![").append(png.getFileName()).append("](").append(png.getFileName()).append(")\n\n");

    md.append("## Compute frontier\n\n| norm | N | D | C | loss |\n|---|---|---|---|---|\n");
    for (var n : r.norms()) {
      for (ResultRow x : n.frontier()) {
        md.append(String.format("| %s | %,d | %,d | %.3g | %.4f |%n", n.norm(), x.params(), x.tokens(), x.flops(), x.loss()));
      }
    }

    md.append("\n## Parametric fit L(N, D) = E + A/N^alpha + B/D^beta (Chinchilla approach 3)\n\n");
    md.append("| norm | points | E | A | B | alpha | beta |\n|---|---|---|---|---|---|---|\n");
    for (var n : r.norms()) {
      ParametricEstimate e = n.parametric();
      if (e == null) {
        md.append("| ").append(n.norm()).append(" | ").append(n.rows().size()).append(" | no fit: ")
            .append(n.parametricProblem()).append(" | | | | |\n");
        continue;
      }
      double[] v = {e.law().e(), e.law().a(), e.law().b(), e.law().alpha(), e.law().beta()};
      md.append("| ").append(n.norm()).append(" | ").append(e.points());
      String[] names = {"E", "A", "B", "alpha", "beta"};
      for (int k = 0; k < 5; k++) {
        md.append(" | ").append(String.format("%.4g", v[k]));
        if (e.bootstrap() > 0) {
          var ci = e.interval(names[k]);
          md.append(String.format(" [%.3g, %.3g]", ci.lo(), ci.hi()));
        }
      }
      md.append(" |\n");
    }
    md.append("\nIntervals: bootstrap percentiles (").append(r.norms().stream().filter(n -> n.parametric() != null)
        .findFirst().map(n -> String.format("%.0f%%, %d resamples", 100 * n.parametric().confidence(), n.parametric().bootstrap()))
        .orElse("none")).append("). Overlapping intervals do not separate two norms.\n");

    md.append("\n## IsoFLOP profiles (Chinchilla approach 2)\n\n");
    md.append("A profile at C takes every trial whose budgets span C, interpolated in log C.\n\n");
    md.append("| norm | C | N* | D* | loss | N* within the profile |\n|---|---|---|---|---|---|\n");
    for (var n : r.norms()) {
      if (n.isoFlop() == null) {
        md.append("| ").append(n.norm()).append(" | no fit: ").append(n.isoFlopProblem()).append(" | | | | |\n");
        continue;
      }
      for (IsoFlopFit.Optimum o : n.isoFlop().optima()) {
        md.append(String.format("| %s | %.3g | %.3g | %.3g | %.4f | %s |%n", n.norm(), o.budget(), o.params(), o.tokens(),
            o.loss(), o.bracketed() ? "yes" : "no (extrapolated)"));
      }
      md.append(String.format("| %s | N*(C) = %.3g C^%.3f, D*(C) = %.3g C^%.3f | | | | |%n", n.norm(),
          n.isoFlop().params().coefficient(), n.isoFlop().params().exponent(), n.isoFlop().tokens().coefficient(),
          n.isoFlop().tokens().exponent()));
    }

    if (!r.alpha0().isEmpty()) {
      md.append("\n## Best alpha0 per width\n\n| width | alpha0_attention | alpha0_other | loss |\n|---|---|---|---|\n");
      for (var g : r.alpha0()) {
        md.append(String.format("| %d | %s | %s | %.4f |%n", g.width(), g.best().attention(), g.best().other(), g.bestLoss()));
      }
      md.append("\n`./dytrain sweep report DIR --alpha0-table T.yaml` writes this table; `model.alpha0_table: T.yaml` uses it.\n");
    }
    return md.toString();
  }
}
