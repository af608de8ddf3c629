package dytrain.sweep;

import dytrain.config.DytrainException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleValueChecker;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunctionGradient;
import org.apache.commons.math3.optim.nonlinear.scalar.gradient.NonLinearConjugateGradientOptimizer;

/**
 * Chinchilla's approach 3 as Besiroglu et al. 2024 (Epoch AI) re-fit it: minimise the Huber loss of
 * log-space residuals ({@link HuberLogLoss}) from every point of a grid of starts, each run to
 * convergence, keep the best; then bootstrap (resample the runs with replacement, refit, take percentile
 * intervals). Epoch found Hoffmann et al.'s intervals implausibly narrow and their optimiser stopped
 * early; hence tight tolerances here and intervals from resampling rather than from curvature.
 *
 * <p>The optimiser is Apache Commons Math's nonlinear conjugate gradient (Polak-Ribière) with the analytic
 * gradient: no maintained, permissively licensed Java library on Maven Central offers L-BFGS with
 * adjustable tolerances (see the package notes). The fit runs in coordinates centred on the mean log N
 * and log D, where a and alpha (b and beta) are nearly uncorrelated, so conjugate gradient converges in
 * few iterations; the objective is the same function.
 */
public final class ParametricFit {

  /** Values of each coordinate of the start grid; every combination is one start. */
  public record StartGrid(List<Double> logA, List<Double> logB, List<Double> logE, List<Double> alpha,
      List<Double> beta) {

    /** Hoffmann et al. 2022, appendix D.2: a, b in {0, 5, ..., 25}, e in {-1, -.5, ..., 1}, alpha, beta in {0, .5, ..., 2}. */
    public static final StartGrid HOFFMANN = new StartGrid(steps(0, 25, 5), steps(0, 25, 5), steps(-1, 1, 0.5),
        steps(0, 2, 0.5), steps(0, 2, 0.5));

    public StartGrid {
      for (List<Double> values : List.of(logA, logB, logE, alpha, beta)) {
        if (values.isEmpty()) {
          throw new DytrainException("every coordinate of the start grid needs at least one value");
        }
      }
      logA = List.copyOf(logA);
      logB = List.copyOf(logB);
      logE = List.copyOf(logE);
      alpha = List.copyOf(alpha);
      beta = List.copyOf(beta);
    }

    List<double[]> starts() {
      List<double[]> out = new ArrayList<>();
      for (double a : logA) for (double b : logB) for (double e : logE) for (double al : alpha) for (double be : beta) {
        out.add(new double[] {a, b, e, al, be});
      }
      return out;
    }

    static List<Double> steps(double from, double to, double step) {
      List<Double> out = new ArrayList<>();
      for (int i = 0; from + i * step <= to + 1e-9; i++) out.add(from + i * step);
      return out;
    }
  }

  /**
   * @param huberDelta the Huber loss's switch from quadratic to linear (1e-3 in Hoffmann et al. and Epoch)
   * @param bootstrap resamples for the intervals (0: no intervals)
   * @param confidence the intervals' coverage, e.g. 0.95 for the 2.5th and 97.5th percentiles
   * @param seed the resampling seed: the same data and seed give the same intervals
   */
  public record Options(double huberDelta, int bootstrap, double confidence, long seed, StartGrid grid) {
    public Options {
      if (!(huberDelta > 0)) throw new DytrainException("huber delta = " + huberDelta + " must be positive");
      if (bootstrap < 0) throw new DytrainException("bootstrap = " + bootstrap + " must be >= 0 (0: no intervals)");
      if (!(confidence > 0 && confidence < 1)) throw new DytrainException("confidence = " + confidence + " must lie in (0, 1)");
      if (grid == null) throw new DytrainException("a fit needs a start grid");
    }

    public static Options defaults() {
      return new Options(1e-3, 1000, 0.95, 0, StartGrid.HOFFMANN);
    }

    public Options withBootstrap(int count) {
      return new Options(huberDelta, count, confidence, seed, grid);
    }

    public Options withGrid(StartGrid g) {
      return new Options(huberDelta, bootstrap, confidence, seed, g);
    }
  }

  private ParametricFit() {}

  public static ParametricEstimate fit(List<ScalingPoint> points, Options options) {
    if (points.size() < 5) {
      throw new DytrainException("a parametric fit has 5 unknowns and needs at least 5 runs; got " + points.size());
    }
    List<double[]> starts = options.grid().starts();
    Optimum best = bestOf(new HuberLogLoss(points, options.huberDelta()), starts);
    if (best == null) {
      throw new DytrainException("no start of the fit converged (" + starts.size() + " starts)");
    }
    ParametricLaw law = ParametricLaw.fromLogs(best.theta());
    return new ParametricEstimate(law, bootstrap(points, best.theta(), options), options.confidence(),
        options.bootstrap(), points.size(), options.huberDelta(), best.value());
  }

  /** Percentile intervals of E, A, B, alpha, beta over refits to resampled runs, each started at the full fit. */
  private static List<Interval> bootstrap(List<ScalingPoint> points, double[] full, Options options) {
    if (options.bootstrap() == 0) {
      return List.of();
    }
    Random random = new Random(options.seed());
    int[][] samples = new int[options.bootstrap()][points.size()];
    for (int[] sample : samples) {
      for (int i = 0; i < sample.length; i++) sample[i] = random.nextInt(points.size());
    }
    double[][] values = IntStream.range(0, samples.length).parallel().mapToObj(s -> {
      List<ScalingPoint> resampled = Arrays.stream(samples[s]).mapToObj(points::get).toList();
      Optimum o = minimize(new HuberLogLoss(resampled, options.huberDelta()), full);
      return o == null || !Double.isFinite(o.value()) ? null : ParametricLaw.fromLogs(o.theta()).values();
    }).filter(v -> v != null).toArray(double[][]::new);
    if (values.length == 0) {
      throw new DytrainException("no bootstrap refit converged (" + samples.length + " resamples)");
    }
    List<Interval> intervals = new ArrayList<>();
    double tail = (1 - options.confidence()) / 2;
    for (int k = 0; k < 5; k++) {
      double[] column = new double[values.length];
      for (int s = 0; s < values.length; s++) column[s] = values[s][k];
      Arrays.sort(column);
      intervals.add(new Interval(percentile(column, tail), percentile(column, 1 - tail)));
    }
    return intervals;
  }

  /** The best converged minimum over the starts (ties to the earliest start), or null if none converged. */
  static Optimum bestOf(HuberLogLoss f, List<double[]> starts) {
    return IntStream.range(0, starts.size()).parallel()
        .mapToObj(i -> minimize(f, starts.get(i)))
        .filter(o -> o != null && Double.isFinite(o.value()))
        .min(Comparator.comparingDouble(Optimum::value))
        .orElse(null);
  }

  record Optimum(double[] theta, double value) {}

  /** Conjugate gradient from one start in centred coordinates; null when it does not converge. */
  static Optimum minimize(HuberLogLoss f, double[] start) {
    double[] centre = f.centres();
    // a - alpha log N = a' - alpha (log N - mean log N): optimise a' = a - alpha * mean, likewise b'.
    double[] x0 = start.clone();
    x0[HuberLogLoss.LOG_A] -= start[HuberLogLoss.ALPHA] * centre[0];
    x0[HuberLogLoss.LOG_B] -= start[HuberLogLoss.BETA] * centre[1];
    NonLinearConjugateGradientOptimizer cg = new NonLinearConjugateGradientOptimizer(
        NonLinearConjugateGradientOptimizer.Formula.POLAK_RIBIERE, new SimpleValueChecker(1e-12, 1e-15),
        1e-10, 1e-12, 1e-2);
    try {
      PointValuePair p = cg.optimize(new MaxEval(200_000), new MaxIter(20_000),
          new ObjectiveFunction(x -> f.value(uncentre(x, centre))),
          new ObjectiveFunctionGradient(x -> centredGradient(f.gradient(uncentre(x, centre)), centre)),
          GoalType.MINIMIZE, new InitialGuess(x0));
      return new Optimum(uncentre(p.getPoint(), centre), p.getValue());
    } catch (TooManyEvaluationsException | TooManyIterationsException e) {
      return null;
    }
  }

  private static double[] uncentre(double[] x, double[] centre) {
    double[] t = x.clone();
    t[HuberLogLoss.LOG_A] += x[HuberLogLoss.ALPHA] * centre[0];
    t[HuberLogLoss.LOG_B] += x[HuberLogLoss.BETA] * centre[1];
    return t;
  }

  /** Chain rule through a = a' + alpha * mean log N (and b): d/dalpha gains mean log N * d/da. */
  private static double[] centredGradient(double[] g, double[] centre) {
    double[] c = g.clone();
    c[HuberLogLoss.ALPHA] += centre[0] * g[HuberLogLoss.LOG_A];
    c[HuberLogLoss.BETA] += centre[1] * g[HuberLogLoss.LOG_B];
    return c;
  }

  private static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
