package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

  @TempDir static Path data;
  @TempDir Path run;

  @BeforeAll
  static void dataset() throws Exception {
    TinyDataset.write(data, 64, 40, 3, 1);
  }

  @Test
  void lossFallsOnATinyDataset() throws Exception {
    List<Double> losses = new ArrayList<>();
    List<Double> evals = new ArrayList<>();
    TrainingFixture.train(TrainingFixture.config(data, "train.steps=200", "train.lr=0.01", "train.eval_every=100"), run,
        new Trainer.Listener() {
          @Override
          public void onStep(StepMetrics m) {
            losses.add(m.loss());
          }

          @Override
          public void onEval(long step, double loss) {
            evals.add(loss);
          }
        });
    double first = losses.get(0);
    double last = losses.subList(190, 200).stream().mapToDouble(d -> d).average().orElseThrow();
    assertTrue(first > Math.log(64) - 0.5, "starts near uniform: " + first);
    assertTrue(last < first - 1.0, "loss fell from " + first + " to " + last);
    assertEquals(2, evals.size());
    assertTrue(evals.get(1) < first - 1.0, "validation loss fell too: " + evals);
    assertTrue(Files.isRegularFile(run.resolve("metrics.csv")));
    assertTrue(Files.isRegularFile(run.resolve("eval.csv")));
  }

  @Test
  void resumedRunMatchesUninterruptedRun(@TempDir Path uninterrupted) throws Exception {
    var config = TrainingFixture.config(data, "train.checkpoint_every=3");
    TrainingFixture.train(config, uninterrupted, TrainingFixture.SILENT);

    // Crash after step 7 (0-based): the newest checkpoint holds 6 steps, so steps 6 and 7 run again.
    var crash = assertThrows(IllegalStateException.class, () -> TrainingFixture.train(config, run, m -> {
      if (m.step() == 7) {
        throw new IllegalStateException("simulated crash");
      }
    }));
    assertEquals("simulated crash", crash.getMessage());
    TrainingFixture.train(config, run, TrainingFixture.SILENT);

    var expected = TrainingFixture.finalWeights(uninterrupted);
    var actual = TrainingFixture.finalWeights(run);
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name).data(), actual.get(name).data(), 0f, name);
    }
    assertEquals(TrainingFixture.lossColumn(uninterrupted), TrainingFixture.lossColumn(run));
  }

  @Test
  void resumeFlagWithoutACheckpointIsAnError() {
    var config = TrainingFixture.config(data);
    var e = assertThrows(DytrainException.class, () -> TrainingRun.run(config, run.toString(), true,
        TrainingRun.Rank.SINGLE, TrainingFixture.SILENT, TrainingFixture.QUIET));
    assertTrue(e.getMessage().contains("no complete checkpoint"), e.getMessage());
  }

  @Test
  void datasetWithALargerVocabularyIsRefused() {
    var config = TrainingFixture.config(data, "model.vocab_size=32");
    var e = assertThrows(DytrainException.class, () -> TrainingFixture.train(config, run, TrainingFixture.SILENT));
    assertTrue(e.getMessage().contains("vocab size 64") && e.getMessage().contains("model.vocab_size = 32"), e.getMessage());
  }

  @Test
  void tokenIdBeyondTheVocabularyIsRefusedNamingTheShard(@TempDir Path corrupt) throws Exception {
    TinyDataset.write(corrupt, 64, 200, 10, 1, 3);
    var e = assertThrows(DytrainException.class,
        () -> TrainingFixture.train(TrainingFixture.config(corrupt), run, TrainingFixture.SILENT));
    assertTrue(e.getMessage().contains("train-0.parquet") && e.getMessage().contains("model.vocab_size = 64"), e.getMessage());
  }

  @Test
  void folderWithoutManifestIsRefused(@TempDir Path empty) {
    var e = assertThrows(DytrainException.class,
        () -> TrainingFixture.train(TrainingFixture.config(empty), run, TrainingFixture.SILENT));
    assertTrue(e.getMessage().contains("manifest"), e.getMessage());
  }
}
