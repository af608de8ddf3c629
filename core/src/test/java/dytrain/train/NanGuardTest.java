package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dytrain.config.DytrainException;
import dytrain.model.Autograd;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NanGuardTest {

  @TempDir static Path data;
  @TempDir Path run;

  @BeforeAll
  static void dataset() throws Exception {
    TinyDataset.write(data, 64, 30, 2, 2);
  }

  /** Turns the averaged gradient into NaN at chosen steps: a fault injected where a bad batch would show. */
  static final class PoisonedSync implements DataParallel {
    final Set<Long> poisoned;
    long step;

    PoisonedSync(Set<Long> poisoned) {
      this.poisoned = poisoned;
    }

    @Override
    public double syncGradients(Collection<NDArray> parameters, double loss) {
      if (poisoned.contains(step++)) {
        try (Autograd off = Autograd.noGrad()) {
          parameters.iterator().next().getGradient().muli(Float.NaN);
        }
      }
      return loss;
    }
  }

  static Rank rank(Set<Long> poisoned) {
    return new Rank(0, 1, new PoisonedSync(poisoned), Device.cpu());
  }

  @Test
  void aNanStepIsSkippedCountedAndTrainingGoesOn() throws Exception {
    List<StepMetrics> steps = new ArrayList<>();
    var config = TrainingFixture.config(data, "train.steps=8");
    TrainState end = TrainingRun.run(config, run.toString(), RunStart.Resume.IF_PRESENT, rank(Set.of(2L, 3L)), steps::add, TrainingFixture.QUIET, new Configuration());
    assertEquals(8, end.step());
    assertEquals(2, end.skippedUpdates());
    assertTrue(steps.get(2).skipped() && steps.get(3).skipped() && !steps.get(4).skipped());
    assertTrue(Double.isNaN(steps.get(2).gradNorm()));
    var weights = TrainingFixture.finalWeights(run);
    for (var t : weights.values()) {
      for (float v : t.data()) {
        assertTrue(Float.isFinite(v), "a skipped update must not reach the weights");
      }
    }
  }

  @Test
  void tooManyBadStepsInARowStopTheRunKeepingTheLastGoodCheckpoint() throws Exception {
    var config = TrainingFixture.config(data, "train.steps=20", "train.max_bad_steps=3");
    Set<Long> fromStepFive = new HashSet<>();
    for (long s = 5; s < 20; s++) {
      fromStepFive.add(s);
    }
    var e = assertThrows(DytrainException.class, () -> TrainingRun.run(config, run.toString(), RunStart.Resume.IF_PRESENT,
        rank(fromStepFive), m -> {}, TrainingFixture.QUIET, new Configuration()));
    assertTrue(e.getMessage().contains("4 steps in a row") && e.getMessage().contains("train.max_bad_steps = 3"),
        e.getMessage());
    var store = new CheckpointStore(run.toString(), new Configuration(), 3, 0);
    assertEquals(4, store.newest().orElseThrow().step(), "the checkpoint before the NaNs is kept");
    assertTrue(e.getMessage().contains("The last good checkpoint, step 4, is kept in"), e.getMessage());
  }

  /** The metrics of a stopped run reach disk, the bad steps among them, and the message says no checkpoint exists. */
  @Test
  void aRunStoppedBeforeItsFirstCheckpointSaysSoAndKeepsItsMetrics() throws Exception {
    var config = TrainingFixture.config(data, "train.steps=20", "train.max_bad_steps=2", "train.checkpoint_every=10");
    var e = assertThrows(DytrainException.class, () -> TrainingRun.run(config, run.toString(), RunStart.Resume.IF_PRESENT,
        rank(Set.of(1L, 2L, 3L)), m -> {}, TrainingFixture.QUIET, new Configuration()));
    assertTrue(e.getMessage().contains("No checkpoint was written before it, so a rerun starts afresh"), e.getMessage());
    List<StepMetrics> rows = TrainingFixture.steps(run);
    assertTrue(rows.size() >= 3, "steps 0-2 at least: " + rows);
    assertTrue(rows.get(1).step() == 1 && rows.get(1).skipped(), "step 1, skipped: " + rows.get(1));
  }
}
