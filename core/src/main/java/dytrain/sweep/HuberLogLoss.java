package dytrain.sweep;

import java.util.List;

/**
 * The objective of Chinchilla's approach 3 (Hoffmann et al. 2022, eq. 3; re-fit by Besiroglu et al. 2024):
 * the sum over runs of Huber_delta(LSE(a - alpha log N, b - beta log D, e) - log L), with A = exp(a),
 * B = exp(b), E = exp(e). Fitting log L in log-sum-exp form keeps every term positive and the residuals
 * relative; the Huber loss makes the fit robust to a few outlying runs. Parameters theta are
 * (a, b, e, alpha, beta); the gradient is analytic: d LSE / d u_k is the softmax weight of u_k.
 */
final class HuberLogLoss {
  static final int LOG_A = 0;
  static final int LOG_B = 1;
  static final int LOG_E = 2;
  static final int ALPHA = 3;
  static final int BETA = 4;

  private final double[] logN;
  private final double[] logD;
  private final double[] logL;
  private final double delta;

  HuberLogLoss(List<ScalingPoint> points, double delta) {
    if (!(delta > 0)) {
      throw new IllegalArgumentException("the Huber delta must be positive, got " + delta);
    }
    int n = points.size();
    logN = new double[n];
    logD = new double[n];
    logL = new double[n];
    for (int i = 0; i < n; i++) {
      ScalingPoint p = points.get(i);
      logN[i] = Math.log(p.params());
      logD[i] = Math.log(p.tokens());
      logL[i] = Math.log(p.loss());
    }
    this.delta = delta;
  }

  double value(double[] theta) {
    double sum = 0;
    for (int i = 0; i < logL.length; i++) {
      sum += huber(residual(theta, i, null));
    }
    return sum;
  }

  double[] gradient(double[] theta) {
    double[] g = new double[5];
    double[] w = new double[3];
    for (int i = 0; i < logL.length; i++) {
      double r = residual(theta, i, w);
      double dHuber = Math.abs(r) <= delta ? r : Math.copySign(delta, r);
      g[LOG_A] += dHuber * w[0];
      g[ALPHA] -= dHuber * w[0] * logN[i];
      g[LOG_B] += dHuber * w[1];
      g[BETA] -= dHuber * w[1] * logD[i];
      g[LOG_E] += dHuber * w[2];
    }
    return g;
  }

  /** The mean of log N and of log D: the fit centres on them to decorrelate a from alpha and b from beta. */
  double[] centres() {
    double n = 0;
    double d = 0;
    for (int i = 0; i < logN.length; i++) {
      n += logN[i];
      d += logD[i];
    }
    return new double[] {n / logN.length, d / logD.length};
  }

  /** LSE(...) - log L of point i; fills the softmax weights of the three terms when {@code w} is given. */
  private double residual(double[] t, int i, double[] w) {
    double u0 = t[LOG_A] - t[ALPHA] * logN[i];
    double u1 = t[LOG_B] - t[BETA] * logD[i];
    double u2 = t[LOG_E];
    double max = Math.max(u0, Math.max(u1, u2));
    double e0 = Math.exp(u0 - max);
    double e1 = Math.exp(u1 - max);
    double e2 = Math.exp(u2 - max);
    double sum = e0 + e1 + e2;
    if (w != null) {
      w[0] = e0 / sum;
      w[1] = e1 / sum;
      w[2] = e2 / sum;
    }
    return max + Math.log(sum) - logL[i];
  }

  private double huber(double r) {
    double abs = Math.abs(r);
    return abs <= delta ? 0.5 * r * r : delta * (abs - 0.5 * delta);
  }
}
