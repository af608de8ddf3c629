package dytrain.sweep;

import dytrain.config.Alpha0Table;
import dytrain.config.DytrainException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a sweep's report shows, computed from its results table (the plots are the cli's): the compute
 * frontier, IsoFLOP profiles and their optima (Chinchilla approach 2), the parametric law L(N, D) with
 * intervals (approach 3), each per norm type so the norms compare, and for alpha0 sweeps the loss over
 * alpha0_attention x alpha0_other per width with the best pair.
 *
 * <p>The table has no nominal compute: a trial's budgets are points on one model's loss-against-compute
 * curve, so an IsoFLOP profile at C takes every model size whose curve spans C, its loss and tokens
 * interpolated linearly in log C between its two nearest budgets (no extrapolation).
 */
public final class SweepReport {

  public static final String NORM = "model.norm_type";
  public static final String WIDTH = "model.hidden_size";
  public static final String ALPHA0_ATTENTION = "model.alpha0_attention";
  public static final String ALPHA0_OTHER = "model.alpha0_other";

  /** One norm type's analysis; a fit that could not be made says why instead. */
  public record NormResult(String norm, List<ResultRow> rows, List<ResultRow> frontier, List<IsoFlopFit.Run> profiles,
      IsoFlopFit.Result isoFlop, String isoFlopProblem, ParametricEstimate parametric, String parametricProblem) {}

  /** One width of an alpha0 sweep: loss by (attention, other), and the best pair. */
  public record Alpha0Grid(int width, List<Double> attention, List<Double> other, Double[][] loss, Alpha0Table.Row best,
      double bestLoss) {}

  public record Result(List<NormResult> norms, List<Alpha0Grid> alpha0) {
    /** The best alpha0 per width, as a table a config can name (model.alpha0_table); null without an alpha0 sweep. */
    public Alpha0Table alpha0Table() {
      return alpha0.isEmpty() ? null : new Alpha0Table(alpha0.stream().map(Alpha0Grid::best).toList());
    }
  }

  private SweepReport() {}

  /**
   * @param profiles IsoFLOP compute levels, log-spaced across the compute all trials share
   */
  public static Result of(List<ResultRow> rows, ParametricFit.Options fit, int profiles) {
    List<ResultRow> done = rows.stream().filter(r -> r.status() == ResultRow.Status.DONE).toList();
    if (done.isEmpty()) {
      throw new DytrainException("the results table has no finished (status done) rows to report on");
    }
    Map<String, List<ResultRow>> byNorm = new TreeMap<>();
    done.forEach(r -> byNorm.computeIfAbsent(r.config().getOrDefault(NORM, "?"), k -> new ArrayList<>()).add(r));
    List<NormResult> norms = new ArrayList<>();
    byNorm.forEach((norm, list) -> norms.add(norm(norm, list, fit, profiles)));
    return new Result(norms, alpha0(done));
  }

  private static NormResult norm(String norm, List<ResultRow> rows, ParametricFit.Options fit, int levels) {
    List<IsoFlopFit.Run> profiles = profiles(rows, levels);
    IsoFlopFit.Result iso = null;
    String isoProblem = null;
    try {
      iso = IsoFlopFit.fit(profiles);
    } catch (DytrainException e) {
      isoProblem = e.getMessage();
    }
    ParametricEstimate estimate = null;
    String fitProblem = null;
    try {
      estimate = ParametricFit.fit(ResultsTable.points(rows), fit);
    } catch (DytrainException e) {
      fitProblem = e.getMessage();
    }
    return new NormResult(norm, rows, frontier(rows), profiles, iso, isoProblem, estimate, fitProblem);
  }

  /** The rows no cheaper row beats: the lowest loss reached at each compute, in order of compute. */
  public static List<ResultRow> frontier(List<ResultRow> rows) {
    List<ResultRow> sorted = rows.stream().filter(r -> r.loss() != null)
        .sorted(Comparator.comparingDouble(ResultRow::flops)).toList();
    List<ResultRow> out = new ArrayList<>();
    double best = Double.POSITIVE_INFINITY;
    for (ResultRow r : sorted) {
      if (r.loss() < best) {
        out.add(r);
        best = r.loss();
      }
    }
    return out;
  }

  /**
   * IsoFLOP profiles: at {@code levels} compute budgets log-spaced between the smallest and largest compute
   * of the table, every trial whose budgets span the level gives one run (loss and tokens interpolated in
   * log C). Trials are told apart by their id; a trial is one model size.
   */
  public static List<IsoFlopFit.Run> profiles(List<ResultRow> rows, int levels) {
    Map<String, List<ResultRow>> byTrial = new LinkedHashMap<>();
    rows.stream().filter(r -> r.loss() != null)
        .forEach(r -> byTrial.computeIfAbsent(r.trial(), k -> new ArrayList<>()).add(r));
    double lo = rows.stream().mapToDouble(ResultRow::flops).min().orElse(1);
    double hi = rows.stream().mapToDouble(ResultRow::flops).max().orElse(1);
    List<IsoFlopFit.Run> runs = new ArrayList<>();
    for (int k = 0; k < levels; k++) {
      double c = levels == 1 ? Math.sqrt(lo * hi) : Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * (k + 0.5) / levels);
      for (List<ResultRow> curve : byTrial.values()) {
        List<ResultRow> s = curve.stream().sorted(Comparator.comparingDouble(ResultRow::flops)).toList();
        for (int i = 0; i + 1 < s.size(); i++) {
          ResultRow a = s.get(i);
          ResultRow b = s.get(i + 1);
          if (a.flops() <= c && c <= b.flops()) {
            double t = (Math.log(c) - Math.log(a.flops())) / (Math.log(b.flops()) - Math.log(a.flops()));
            double loss = a.loss() + t * (b.loss() - a.loss());
            double tokens = Math.exp(Math.log(a.tokens()) + t * (Math.log(b.tokens()) - Math.log(a.tokens())));
            runs.add(new IsoFlopFit.Run(c, a.params(), tokens, loss));
            break;
          }
        }
      }
    }
    return runs;
  }

  /**
   * The alpha0 grids: rows of dyt or derf trials whose table has both alpha0 columns, by width; of a trial
   * trained to several budgets, its largest budget's loss.
   */
  public static List<Alpha0Grid> alpha0(List<ResultRow> rows) {
    Map<Integer, Map<List<Double>, ResultRow>> byWidth = new TreeMap<>();
    for (ResultRow r : rows) {
      String a = r.config().get(ALPHA0_ATTENTION);
      String o = r.config().get(ALPHA0_OTHER);
      String w = r.config().get(WIDTH);
      if (a == null || o == null || w == null || r.loss() == null) continue;
      var cell = byWidth.computeIfAbsent(Integer.parseInt(w), k -> new LinkedHashMap<>());
      List<Double> pair = List.of(Double.parseDouble(a), Double.parseDouble(o));
      ResultRow there = cell.get(pair);
      if (there == null || r.tokens() > there.tokens()) cell.put(pair, r);
    }
    List<Alpha0Grid> out = new ArrayList<>();
    byWidth.forEach((width, cells) -> {
      List<Double> att = cells.keySet().stream().map(p -> p.get(0)).distinct().sorted().toList();
      List<Double> oth = cells.keySet().stream().map(p -> p.get(1)).distinct().sorted().toList();
      if (att.size() * oth.size() < 2) return; // one pair is no sweep of alpha0
      Double[][] loss = new Double[att.size()][oth.size()];
      Map.Entry<List<Double>, ResultRow> best = null;
      for (var e : cells.entrySet()) {
        loss[att.indexOf(e.getKey().get(0))][oth.indexOf(e.getKey().get(1))] = e.getValue().loss();
        if (best == null || e.getValue().loss() < best.getValue().loss()) best = e;
      }
      out.add(new Alpha0Grid(width, att, oth, loss,
          new Alpha0Table.Row(width, best.getKey().get(0), best.getKey().get(1)), best.getValue().loss()));
    });
    return out;
  }
}
