package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import dytrain.io.FullDisk;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

  /** Metrics that do not fit on the disk stop the run as the user's error naming the run folder, not as an FSError. */
  @Test
  void metricsThatDoNotFitOnTheDiskAreTheUsersErrorNamingTheFolder(@TempDir Path run) throws Exception {
    var metrics = new MetricsLog(run.toString(), FullDisk.on(new Configuration(), 100));
    metrics.add(new StepMetrics(0, 5.5, 1.0, 1e-3, 512, 1000, 0.1, 0.01, 0.1, 0.01, 0.01, false, false));
    var e = assertThrows(DytrainException.class, metrics::flush);
    assertTrue(e.getMessage().startsWith("cannot write the metrics in " + run + ": No space left on device"), e.getMessage());
  }
}
