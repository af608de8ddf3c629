package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSummaryTest {

  @TempDir static Path data;

  @BeforeAll
  static void dataset() throws Exception {
    TinyDataset.write(data, 64, 30, 2, 1);
  }

  /** The summary agrees with what the trainer told its listener while it ran, not with the files alone. */
  @Test
  void summaryOfARunMatchesWhatTheTrainerReported(@TempDir Path run) throws Exception {
    var config = TrainingFixture.config(data, "train.steps=8", "train.eval_every=4");
    List<StepMetrics> steps = new ArrayList<>();
    List<double[]> evals = new ArrayList<>();
    TrainingFixture.train(config, run, new Trainer.Listener() {
      @Override
      public void onStep(StepMetrics m) {
        steps.add(m);
      }

      @Override
      public void onEval(long step, double loss) {
        evals.add(new double[] {step, loss});
      }
    });
    RunSummary summary = RunSummary.of(run.toString(), new Configuration());
    assertEquals(8, summary.steps());
    assertEquals(8L * config.globalBatchSequences() * config.seqLen(), summary.tokens());
    assertEquals(steps.get(7).loss(), summary.trainLoss(), 1e-6);
    assertEquals(2, evals.size(), "evaluations at steps 4 and 8");
    assertEquals(evals.get(1)[1], summary.finalValLoss(), 1e-6);
    assertEquals(Math.min(evals.get(0)[1], evals.get(1)[1]), summary.bestValLoss(), 1e-6);
    assertTrue(summary.trainSeconds() > 0);
  }

  @Test
  void aRunFolderWithoutCheckpointsSummarisesAsNothingTrained(@TempDir Path run) throws Exception {
    RunSummary summary = RunSummary.of(run.toString(), new Configuration());
    assertEquals(0, summary.steps());
    assertTrue(Double.isNaN(summary.finalValLoss()));
  }
}
