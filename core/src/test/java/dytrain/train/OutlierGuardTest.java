package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dytrain.config.DytrainConfig;
import dytrain.model.Autograd;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outlier guard in training runs: gradient spikes injected at chosen steps (train.outlier_z). */
class OutlierGuardTest {

  @TempDir static Path data;
  @TempDir Path run;

  /** Past the detector's warm-up of 32 steps. */
  static final Set<Long> SPIKES = Set.of(36L, 41L);

  @BeforeAll
  static void dataset() throws Exception {
    TinyDataset.write(data, 64, 30, 2, 2);
  }

  /**
   * Multiplies the gradient at chosen steps: a fault where a bad batch would show. Steps are counted from
   * {@code firstStep}, the step a (resumed) run starts at.
   */
  static final class Faults implements DataParallel {
    final Set<Long> steps;
    final float factor;
    long step;

    Faults(Set<Long> steps, float factor, long firstStep) {
      this.steps = steps;
      this.factor = factor;
      this.step = firstStep;
    }

    @Override
    public double syncGradients(Collection<NDArray> parameters, double loss) {
      if (steps.contains(step++)) {
        try (Autograd off = Autograd.noGrad()) {
          parameters.forEach(p -> p.getGradient().muli(factor));
        }
      }
      return loss;
    }
  }

  static DytrainConfig config(String... more) {
    var all = new ArrayList<>(List.of("train.steps=48", "train.eval_every=48", "train.checkpoint_every=8"));
    all.addAll(List.of(more));
    return TrainingFixture.config(data, all.toArray(String[]::new));
  }

  static TrainState train(DytrainConfig config, Path dir, Faults faults, Trainer.Listener listener) throws Exception {
    return TrainingRun.run(config, dir.toString(), RunStart.Resume.IF_PRESENT, new Rank(0, 1, faults, Device.cpu()),
        listener, TrainingFixture.QUIET, new Configuration());
  }

  /**
   * A spiked step is skipped exactly as a NaN step is: the weights equal those of a run (without the guard)
   * whose same steps had NaN gradients, which the NaN guard skips.
   */
  @Test
  void gradientSpikesAreSkippedAsIfTheStepsWereNeverTaken(@TempDir Path nanRun) throws Exception {
    TrainState end = train(config("train.outlier_z=5"), run, new Faults(SPIKES, 1e4f, 0), TrainingFixture.SILENT);
    train(config(), nanRun, new Faults(SPIKES, Float.NaN, 0), TrainingFixture.SILENT);

    assertEquals(2, end.outlierUpdates());
    assertEquals(2, end.skippedUpdates());
    List<StepMetrics> rows = TrainingFixture.steps(run);
    for (StepMetrics m : rows) {
      boolean spiked = SPIKES.contains(m.step());
      assertEquals(spiked, m.outlier(), "step " + m.step());
      assertEquals(spiked, m.skipped(), "step " + m.step());
    }
    var expected = TrainingFixture.finalWeights(nanRun);
    var actual = TrainingFixture.finalWeights(run);
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name).data(), actual.get(name).data(), 0f, name);
    }
  }

  @Test
  void withoutOutlierZTheGuardSkipsNothing() throws Exception {
    TrainState end = train(config("train.steps=40", "train.checkpoint_every=40"), run,
        new Faults(SPIKES, 1e4f, 0), TrainingFixture.SILENT);
    assertEquals(0, end.skippedUpdates());
    assertEquals(0, end.outlierUpdates());
    assertTrue(TrainingFixture.steps(run).stream().noneMatch(StepMetrics::outlier));
    assertTrue(TrainingFixture.steps(run).get(36).gradNorm() > 100, "the spike was there to find");
  }

  /** The detectors' windows come back from the checkpoint: step 41's spike is judged as without the crash. */
  @Test
  void resumedRunWithTheGuardMatchesUninterruptedRun(@TempDir Path uninterrupted) throws Exception {
    var config = config("train.outlier_z=5");
    TrainState whole = train(config, uninterrupted, new Faults(SPIKES, 1e4f, 0), TrainingFixture.SILENT);

    // Crash after step 43: the newest checkpoint holds 40 steps, with the window that saw step 36's spike.
    assertThrows(IllegalStateException.class, () -> train(config, run, new Faults(SPIKES, 1e4f, 0), m -> {
      if (m.step() == 43) {
        throw new IllegalStateException("simulated crash");
      }
    }));
    TrainState resumed = train(config, run, new Faults(SPIKES, 1e4f, 40), TrainingFixture.SILENT);

    assertEquals(2, resumed.outlierUpdates());
    assertEquals(whole.recentLosses(), resumed.recentLosses());
    assertEquals(whole.recentGradNorms(), resumed.recentGradNorms());
    var expected = TrainingFixture.finalWeights(uninterrupted);
    var actual = TrainingFixture.finalWeights(run);
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name).data(), actual.get(name).data(), 0f, name);
    }
    assertEquals(TrainingFixture.lossColumn(uninterrupted), TrainingFixture.lossColumn(run));
  }

  /** A checkpoint written before the guard existed resumes with no outliers counted and empty windows. */
  @Test
  void aStateJsonWithoutTheGuardsFieldsReadsAsNoOutliers() throws Exception {
    var state = new TrainState(5, 20, 1, 320, 1, 0, 7, new OutlierDetector.History(List.of(2.5), 1), null, "byte",
        null, null);
    ObjectNode json = CheckpointStore.JSON.valueToTree(state);
    assertEquals(List.of(2.5), CheckpointStore.JSON.treeToValue(json, TrainState.class).recentLosses().values());
    json.remove(List.of("outlier_updates", "recent_losses", "recent_grad_norms"));
    TrainState read = CheckpointStore.JSON.treeToValue(json, TrainState.class);
    assertEquals(5, read.step());
    assertEquals(1, read.skippedUpdates());
    assertEquals(0, read.outlierUpdates());
    assertEquals(OutlierDetector.History.EMPTY, read.recentLosses());
    assertEquals(OutlierDetector.History.EMPTY, read.recentGradNorms());
  }
}
