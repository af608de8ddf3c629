package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dytrain.train.StepMetrics;
import dytrain.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's view of a distributed run: the rows of metrics.csv and eval.csv from the resumed step on. */
class MetricsFollowerTest {
  @TempDir Path run;

  @Test
  void followsStepsAndEvaluationsFromTheResumedStepOn() throws Exception {
    StringBuilder steps = new StringBuilder("step,loss,grad_norm,lr,tokens,tokens_per_s,mfu,data_ms,compute_ms,allreduce_ms,optimizer_ms,skipped\n");
    for (int s = 0; s < 6; s++) {
      steps.append(s).append(",4.0,1.0,0.001,128,1000,0.5,0.1,10,0,1,0\n");
    }
    Files.writeString(run.resolve("metrics.csv"), steps);
    Files.writeString(run.resolve("eval.csv"), "step,val_loss,val_ppl\n3,5.0,148.4\n6,4.5,90.0\n");
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
    try (var follower = new DistributedTraining.MetricsFollower(run.toString(), new org.apache.hadoop.conf.Configuration(), listener, 3)) {
      follower.drain();
      follower.drain(); // nothing twice
    }
    assertEquals(List.of(3L, 4L, 5L), seenSteps);
    assertEquals(List.of(6L), seenEvals, "the eval at the resumed step was shown by the attempt that made it");
  }
}
