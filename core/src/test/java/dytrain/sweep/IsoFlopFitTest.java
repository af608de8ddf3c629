package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IsoFlopFitTest {

  static final double[] BUDGETS = {1e18, 1e19, 1e20, 1e21};

  @Test
  void exactParabolasGiveTheirVerticesAndThePowerLaws() {
    // loss is exactly quadratic in log N around N* = 0.1 C^0.5; with D = C / (6N) it is quadratic in log D too
    List<IsoFlopFit.Run> runs = new ArrayList<>();
    for (double c : BUDGETS) {
      double best = 0.1 * Math.pow(c, 0.5);
      for (double f : new double[] {0.25, 0.5, 1, 2, 4, 8}) {
        double n = best * f;
        runs.add(new IsoFlopFit.Run(c, n, c / (6 * n), 2 + 0.05 * Math.pow(Math.log(f), 2)));
      }
    }
    IsoFlopFit.Result r = IsoFlopFit.fit(runs);
    assertEquals(0.5, r.params().exponent(), 1e-9);
    assertEquals(0.1, r.params().coefficient(), 1e-8);
    assertEquals(0.5, r.tokens().exponent(), 1e-9);
    assertEquals(1 / 0.6, r.tokens().coefficient(), 1e-7);
    for (IsoFlopFit.Optimum o : r.optima()) {
      assertEquals(2.0, o.loss(), 1e-12);
      assertTrue(o.bracketed());
    }
  }

  @Test
  void chinchillaProfilesGiveTheClosedFormOptimum() {
    // Along C = 6ND, A N^-alpha + B (C/6N)^-beta is least at N* = G (C/6)^(beta/(alpha+beta)),
    // G = (alpha A / (beta B))^(1/(alpha+beta)) (Hoffmann et al. 2022, eq. 4).
    ParametricLaw law = ParametricLaw.CHINCHILLA;
    double s = law.alpha() + law.beta();
    double g = Math.pow(law.alpha() * law.a() / (law.beta() * law.b()), 1 / s);
    List<IsoFlopFit.Run> runs = new ArrayList<>();
    for (double c : BUDGETS) {
      double best = g * Math.pow(c / 6, law.beta() / s);
      for (int k = -4; k <= 4; k++) {
        double n = best * Math.pow(2, k / 4.0);
        runs.add(new IsoFlopFit.Run(c, n, c / (6 * n), law.loss(n, c / (6 * n))));
      }
    }
    IsoFlopFit.Result r = IsoFlopFit.fit(runs);
    assertEquals(law.beta() / s, r.params().exponent(), 1e-3);
    assertEquals(law.alpha() / s, r.tokens().exponent(), 1e-3);
    for (IsoFlopFit.Optimum o : r.optima()) {
      double closedForm = g * Math.pow(o.budget() / 6, law.beta() / s);
      assertEquals(1, o.params() / closedForm, 0.01, "N* at C = " + o.budget());
    }
  }

  @Test
  void aProfileWithoutAMinimumIsNamed() {
    List<IsoFlopFit.Run> runs = new ArrayList<>();
    for (double c : new double[] {1e18, 1e19}) {
      for (double n : new double[] {1e7, 2e7, 4e7}) runs.add(new IsoFlopFit.Run(c, n, c / (6 * n), 3 - 0.01 * Math.pow(Math.log(n / 2e7), 2)));
    }
    String message = assertThrows(DytrainException.class, () -> IsoFlopFit.fit(runs)).getMessage();
    assertTrue(message.contains("C = 1.0E18") && message.contains("does not curve upward"), message);
    List<IsoFlopFit.Run> two = List.of(new IsoFlopFit.Run(1e18, 1e7, 1e9, 3), new IsoFlopFit.Run(1e18, 2e7, 1e9, 3));
    assertFalse(assertThrows(DytrainException.class, () -> IsoFlopFit.optimum(1e18, two)).getMessage().isEmpty());
  }
}
