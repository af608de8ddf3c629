package dytrain.sweep;

import dytrain.config.DytrainException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * Chinchilla's approach 2 (Hoffmann et al. 2022, sec. 3.2): for each compute budget, runs of several model
 * sizes trained to that budget (an IsoFLOP profile); a parabola of loss in log N through them gives the
 * compute-optimal N*, a parabola in log D the matching D*; then N*(C) = k C^a and D*(C) = k' C^b by least
 * squares in log-log. D* comes from its own parabola rather than from C = 6ND, so a FLOP count with the
 * attention term (as ModelSize counts it) stays consistent.
 */
public final class IsoFlopFit {

  /** One run of an IsoFLOP profile; {@code budget} is the profile's nominal compute C, shared by its runs. */
  public record Run(double budget, double params, double tokens, double loss) {
    public Run {
      if (!(budget > 0) || !(params > 0) || !(tokens > 0) || !(loss > 0)) {
        throw new DytrainException("an IsoFLOP run needs positive budget, params, tokens and loss; got " + this);
      }
    }
  }

  /**
   * The optimum of one profile.
   *
   * @param bracketed whether N* lies within the profile's model sizes; outside, it is an extrapolation
   */
  public record Optimum(double budget, double params, double tokens, double loss, boolean bracketed) {}

  /** y = coefficient * C^exponent. */
  public record PowerLaw(double coefficient, double exponent) {
    public double at(double compute) {
      return coefficient * Math.pow(compute, exponent);
    }
  }

  public record Result(List<Optimum> optima, PowerLaw params, PowerLaw tokens) {}

  private IsoFlopFit() {}

  public static Result fit(List<Run> runs) {
    Map<Double, List<Run>> profiles = new TreeMap<>();
    for (Run r : runs) profiles.computeIfAbsent(r.budget(), b -> new ArrayList<>()).add(r);
    if (profiles.size() < 2) {
      throw new DytrainException("an IsoFLOP fit needs at least 2 compute budgets; got " + profiles.size());
    }
    List<Optimum> optima = new ArrayList<>();
    SimpleRegression n = new SimpleRegression();
    SimpleRegression d = new SimpleRegression();
    for (Map.Entry<Double, List<Run>> e : profiles.entrySet()) {
      Optimum o = optimum(e.getKey(), e.getValue());
      optima.add(o);
      n.addData(Math.log(o.budget()), Math.log(o.params()));
      d.addData(Math.log(o.budget()), Math.log(o.tokens()));
    }
    return new Result(optima, new PowerLaw(Math.exp(n.getIntercept()), n.getSlope()),
        new PowerLaw(Math.exp(d.getIntercept()), d.getSlope()));
  }

  static Optimum optimum(double budget, List<Run> runs) {
    if (runs.stream().mapToDouble(Run::params).distinct().count() < 3) {
      throw new DytrainException("the IsoFLOP profile at C = " + budget + " needs at least 3 model sizes for a parabola;"
          + " it has " + runs.stream().mapToDouble(Run::params).distinct().count());
    }
    double[] logN = runs.stream().mapToDouble(r -> Math.log(r.params())).toArray();
    double[] logD = runs.stream().mapToDouble(r -> Math.log(r.tokens())).toArray();
    double[] loss = runs.stream().mapToDouble(Run::loss).toArray();
    double[] atN = vertex(logN, loss, budget, "log N");
    double[] atD = vertex(logD, loss, budget, "log D");
    double min = Arrays.stream(logN).min().orElseThrow();
    double max = Arrays.stream(logN).max().orElseThrow();
    return new Optimum(budget, Math.exp(atN[0]), Math.exp(atD[0]), atN[1], atN[0] >= min && atN[0] <= max);
  }

  /** The least-squares parabola's vertex (x, y); x is centred first so the 3x3 system stays well conditioned. */
  private static double[] vertex(double[] x, double[] y, double budget, String axis) {
    double mean = Arrays.stream(x).average().orElseThrow();
    double[][] design = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double u = x[i] - mean;
      design[i] = new double[] {1, u, u * u};
    }
    RealVector c = new QRDecomposition(new Array2DRowRealMatrix(design, false)).getSolver().solve(new ArrayRealVector(y, false));
    double c0 = c.getEntry(0);
    double c1 = c.getEntry(1);
    double c2 = c.getEntry(2);
    if (!(c2 > 0)) {
      throw new DytrainException("the IsoFLOP profile at C = " + budget + " does not curve upward in " + axis
          + " (the parabola's x^2 coefficient is " + c2 + "): it has no minimum; add model sizes on both sides");
    }
    double u = -c1 / (2 * c2);
    return new double[] {mean + u, c0 + c1 * u + c2 * u * u};
  }
}
