package dytrain.sweep;

/** A confidence interval [lo, hi]. */
public record Interval(double lo, double hi) {
  public boolean contains(double x) {
    return lo <= x && x <= hi;
  }
}
