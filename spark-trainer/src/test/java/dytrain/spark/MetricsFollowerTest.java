package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.StepMetrics;
import dytrain.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's view of a distributed run: the rows of metrics.csv and eval.csv from the resumed step on. */
class MetricsFollowerTest {
  @TempDir Path run;

  @Test
  void followsStepsAndEvaluationsFromTheResumedStepOn() throws Exception {
    List<String> steps = new ArrayList<>();
    for (int s = 0; s < 6; s++) {
      steps.add(MetricsCsv.format(new StepMetrics(s, 4.0, 1.0, 0.001, 128, 1000, 0.5, 1e-4, 0.01, 0, 0.001, false, false)));
    }
    Files.writeString(run.resolve(MetricsLog.TRAIN_FILE), MetricsCsv.table(MetricsCsv.STEP_HEADER, steps));
    Files.writeString(run.resolve(MetricsLog.EVAL_FILE), MetricsCsv.table(MetricsCsv.EVAL_HEADER,
        List.of(MetricsCsv.format(new MetricsLog.Eval(3, 5.0)), MetricsCsv.format(new MetricsLog.Eval(6, 4.5)))));
    List<Long> seenSteps = new ArrayList<>();
    List<Long> seenEvals = new ArrayList<>();
    Trainer.Listener listener = new Trainer.Listener() {
      @Override
      public void onStep(StepMetrics m) {
        seenSteps.add(m.step());
      }

      @Override
      public void onEval(long step, double loss) {
        seenEvals.add(step);
      }
    };
    try (var follower = new DistributedTraining.MetricsFollower(run.toString(), new Configuration(), listener, 3, System.err)) {
      follower.drain();
      follower.drain(); // nothing twice
    }
    assertEquals(List.of(3L, 4L, 5L), seenSteps);
    assertEquals(List.of(6L), seenEvals, "the eval at the resumed step was shown by the attempt that made it");
  }

  /**
   * The driver polls metrics.csv every second while rank 0 rewrites it whole every two seconds: following
   * a long run must read its new rows, not the whole file again (at 56,700 steps the file was 4.5 MB and the
   * driver's heap had grown to 4 GB re-reading it).
   */
  @Test
  void followingALongRunReadsOnlyItsNewRows() throws Exception {
    Path csv = run.resolve(MetricsLog.TRAIN_FILE);
    List<String> rows = new ArrayList<>();
    for (int s = 0; s < 20_000; s++) {
      rows.add(MetricsCsv.format(new StepMetrics(s, 4.0, 1.0, 0.001, 128, 1000, 0.5, 1e-4, 0.01, 0, 0.001, false, false)));
    }
    Files.writeString(csv, MetricsCsv.table(MetricsCsv.STEP_HEADER, rows));
    List<Long> seen = new ArrayList<>();
    try (var follower = new DistributedTraining.MetricsFollower(run.toString(), new Configuration(), m -> seen.add(m.step()), 0, System.err)) {
      follower.drain();
      rows.add(MetricsCsv.format(new StepMetrics(20_000, 3.9, 1.0, 0.001, 128, 1000, 0.5, 1e-4, 0.01, 0, 0.001, false, false)));
      Files.writeString(csv, MetricsCsv.table(MetricsCsv.STEP_HEADER, rows)); // as MetricsLog rewrites it
      long before = bytesReadFromTheLocalDisk();
      follower.drain();
      long read = bytesReadFromTheLocalDisk() - before;
      assertTrue(read < 1000, "read " + read + " bytes of a " + Files.size(csv) + "-byte file for one new row");
    }
    assertEquals(20_001, seen.size());
    assertEquals(20_000L, seen.get(20_000));
  }

  @SuppressWarnings("deprecation") // FileSystem.getAllStatistics: the per-scheme counters every local read updates
  private static long bytesReadFromTheLocalDisk() {
    return FileSystem.getAllStatistics().stream().filter(s -> s.getScheme().equals("file"))
        .mapToLong(FileSystem.Statistics::getBytesRead).sum();
  }
}
