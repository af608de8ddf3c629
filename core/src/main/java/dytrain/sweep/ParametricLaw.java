package dytrain.sweep;

/**
 * Chinchilla's loss model L(N, D) = E + A / N^alpha + B / D^beta (Hoffmann et al. 2022, eq. 2): an
 * irreducible loss plus what a finite model and a finite dataset each add.
 */
public record ParametricLaw(double e, double a, double b, double alpha, double beta) {

  /** Hoffmann et al. 2022's approach-3 estimates, as Besiroglu et al. 2024 (Epoch AI) quote them. */
  public static final ParametricLaw CHINCHILLA = new ParametricLaw(1.69, 406.4, 410.7, 0.34, 0.28);

  public double loss(double params, double tokens) {
    return e + a / Math.pow(params, alpha) + b / Math.pow(tokens, beta);
  }

  /** The law from the fit's coordinates (log A, log B, log E, alpha, beta). */
  static ParametricLaw fromLogs(double[] theta) {
    return new ParametricLaw(Math.exp(theta[HuberLogLoss.LOG_E]), Math.exp(theta[HuberLogLoss.LOG_A]),
        Math.exp(theta[HuberLogLoss.LOG_B]), theta[HuberLogLoss.ALPHA], theta[HuberLogLoss.BETA]);
  }

  /** The named values in the order E, A, B, alpha, beta (the JSON's and the intervals' order). */
  double[] values() {
    return new double[] {e, a, b, alpha, beta};
  }
}
