package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParametricFitTest {

  static final ParametricLaw TRUE = ParametricLaw.CHINCHILLA;
  /** A coarse grid around plausible values: the full Hoffmann grid takes minutes, not seconds. */
  static final ParametricFit.StartGrid GRID = new ParametricFit.StartGrid(List.of(0.0, 5.0, 10.0),
      List.of(0.0, 5.0, 10.0), List.of(-1.0, 0.5), List.of(0.2, 0.8), List.of(0.2, 0.8));

  /** Runs on a log grid of N in 1e7..1e10 and D in 1e9..1e12, loss times exp(noise * gaussian). */
  static List<ScalingPoint> chinchillaRuns(double noise, long seed) {
    Random r = new Random(seed);
    List<ScalingPoint> points = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        double n = Math.pow(10, 7 + 3.0 * i / 5);
        double d = Math.pow(10, 9 + 3.0 * j / 5);
        points.add(new ScalingPoint(n, d, TRUE.loss(n, d) * Math.exp(noise * r.nextGaussian())));
      }
    }
    return points;
  }

  @Test
  void analyticGradientMatchesFiniteDifferences() {
    // noise 0.01 puts residuals on both sides of delta = 1e-3, so both Huber branches are exercised
    HuberLogLoss f = new HuberLogLoss(chinchillaRuns(0.01, 3), 1e-3);
    double[] theta = {Math.log(300), Math.log(500), Math.log(1.5), 0.3, 0.3};
    double[] g = f.gradient(theta);
    for (int k = 0; k < 5; k++) {
      double h = 1e-6;
      double[] up = theta.clone();
      double[] down = theta.clone();
      up[k] += h;
      down[k] -= h;
      double numeric = (f.value(up) - f.value(down)) / (2 * h);
      assertEquals(numeric, g[k], 1e-6 * Math.max(1, Math.abs(numeric)), "d/dtheta[" + k + "]");
    }
  }

  @Test
  void recoversTheConstantsThatMadeTheRuns() {
    ParametricEstimate fit = ParametricFit.fit(chinchillaRuns(0.002, 1),
        ParametricFit.Options.defaults().withGrid(GRID).withBootstrap(0));
    assertEquals(TRUE.e(), fit.law().e(), 0.02 * TRUE.e());
    assertEquals(TRUE.alpha(), fit.law().alpha(), 0.05 * TRUE.alpha());
    assertEquals(TRUE.beta(), fit.law().beta(), 0.05 * TRUE.beta());
    assertEquals(Math.log(TRUE.a()), Math.log(fit.law().a()), 0.3);
    assertEquals(Math.log(TRUE.b()), Math.log(fit.law().b()), 0.3);
  }

  @Test
  void bootstrapIntervalsCoverTheTrueValues() throws Exception {
    ParametricEstimate fit = ParametricFit.fit(chinchillaRuns(0.005, 2),
        ParametricFit.Options.defaults().withGrid(GRID).withBootstrap(200));
    double[] truth = {TRUE.e(), TRUE.a(), TRUE.b(), TRUE.alpha(), TRUE.beta()};
    JsonNode json = new ObjectMapper().readTree(fit.toJson());
    for (int k = 0; k < 5; k++) {
      String name = ParametricEstimate.NAMES.get(k);
      Interval ci = fit.interval(name);
      assertTrue(ci.contains(truth[k]), name + " = " + truth[k] + " outside " + ci);
      assertTrue(ci.hi() > ci.lo(), name + ": a resampled fit moves");
      assertEquals(ci.lo(), json.get("intervals").get(name).get(0).asDouble(), 0.0);
      assertTrue(json.get(name).isNumber());
    }
  }
}
