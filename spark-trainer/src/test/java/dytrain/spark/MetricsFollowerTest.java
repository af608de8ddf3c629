package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.StepMetrics;
import dytrain.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
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
}
