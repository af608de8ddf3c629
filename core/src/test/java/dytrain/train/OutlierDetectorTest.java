package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

  /** A noisy, falling curve like a loss: 2 + 3 exp(-i / 40) + noise. */
  static double[] curve(int n, long seed) {
    Random random = new Random(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = 2 + 3 * Math.exp(-i / 40.0) + 0.05 * random.nextGaussian();
    }
    return x;
  }

  @Test
  void zScoreIsTakenAgainstTheLast128ValuesBeforeIt() {
    double[] x = curve(300, 1);
    var detector = new OutlierDetector(null, OutlierDetector.History.EMPTY);
    for (int i = 0; i < x.length; i++) {
      double z = detector.zScore(x[i]);
      if (i < 32) {
        assertTrue(Double.isNaN(z), "no verdict in warm-up, value " + i);
      } else {
        int from = Math.max(0, i - 128);
        double mean = 0;
        for (int j = from; j < i; j++) {
          mean += x[j] / (i - from);
        }
        double variance = 0;
        for (int j = from; j < i; j++) {
          variance += (x[j] - mean) * (x[j] - mean) / (i - from);
        }
        assertEquals((x[i] - mean) / Math.sqrt(variance), z, 1e-9, "value " + i);
      }
      assertFalse(detector.isOutlier(x[i]), "no threshold, no outliers");
    }
    assertEquals(128, detector.history().values().size());
    assertEquals(x[300 - 128], detector.history().values().get(0), 0.0, "the window slid: oldest is value 172");
  }

  @Test
  void nothingIsAnOutlierDuringWarmUp() {
    var detector = new OutlierDetector(5.0, OutlierDetector.History.EMPTY);
    for (int i = 0; i < 31; i++) {
      detector.isOutlier(1 + 0.01 * (i % 3));
    }
    assertFalse(detector.isOutlier(1e6), "31 values are too few to judge");
  }

  /** A loss falling fast has a large negative z-score: training going well, not an outlier. */
  @Test
  void onlyUpwardSpikesAreOutliers() {
    var detector = warm(5.0);
    assertTrue(detector.zScore(-100) < -5);
    assertFalse(detector.isOutlier(-100));
    assertTrue(detector.isOutlier(100));
  }

  /** As llm.c: two outliers in a row leave the window alone, the third enters it. */
  @Test
  void aSkippedOutlierStaysOutOfTheWindowUntilTheThirdInARow() {
    var detector = warm(5.0);
    List<Double> before = detector.history().values();
    assertTrue(detector.isOutlier(100));
    assertTrue(detector.isOutlier(100));
    assertEquals(before, detector.history().values());
    assertEquals(2, detector.history().outliersInARow());
    assertTrue(detector.isOutlier(100));
    assertEquals(100, detector.history().values().get(detector.history().values().size() - 1), 0.0);
    assertFalse(detector.isOutlier(1.0));
    assertEquals(0, detector.history().outliersInARow());
  }

  @Test
  void aDetectorRebuiltFromItsHistoryJudgesAsTheOriginal() {
    double[] x = curve(250, 2);
    var original = new OutlierDetector(3.0, OutlierDetector.History.EMPTY);
    OutlierDetector rebuilt = null;
    for (int i = 0; i < x.length; i++) {
      if (i == 150) {
        rebuilt = new OutlierDetector(3.0, original.history());
      }
      double spiked = i % 37 == 0 ? x[i] + 1 : x[i]; // some outliers, some in a row of the window's outliers
      if (rebuilt != null) {
        assertEquals(original.zScore(spiked), rebuilt.zScore(spiked), 0.0, "value " + i);
        assertEquals(original.isOutlier(spiked), rebuilt.isOutlier(spiked), "value " + i);
      } else {
        original.isOutlier(spiked);
      }
    }
    assertEquals(original.history(), rebuilt.history());
  }

  /** 64 values near 1 (std about 0.008). */
  private static OutlierDetector warm(double threshold) {
    var detector = new OutlierDetector(threshold, OutlierDetector.History.EMPTY);
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      values.add(1 + 0.01 * (i % 3));
    }
    values.forEach(detector::isOutlier);
    return detector;
  }
}
