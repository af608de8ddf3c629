package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

  @Test
  void warmupIsLinearThenCosineReachesTheFloor() {
    var s = new LrSchedule(1.0, 0.1, 10, 110, false, 0.2);
    assertEquals(0.1, s.at(0), 1e-12);
    assertEquals(0.5, s.at(4), 1e-12);
    assertEquals(1.0, s.at(9), 1e-12);
    assertEquals(1.0, s.at(10), 1e-12);
    // Halfway through the decay cos = 0: the mean of peak and floor.
    assertEquals(0.55, s.at(60), 1e-12);
    assertEquals(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.25)), s.at(35), 1e-12);
    assertEquals(0.1, s.at(110), 1e-12);
    assertEquals(0.1, s.at(500), 1e-12);
  }

  @Test
  void warmupStableDecayHoldsThePeakThenDecaysLinearly() {
    var s = new LrSchedule(2.0, 0.2, 10, 100, true, 0.2);
    assertEquals(2.0, s.at(10), 1e-12);
    assertEquals(2.0, s.at(79), 1e-12);
    assertEquals(2.0, s.at(80), 1e-12);
    assertEquals(1.1, s.at(90), 1e-12);
    assertEquals(0.2, s.at(100), 1e-12);
  }
}
