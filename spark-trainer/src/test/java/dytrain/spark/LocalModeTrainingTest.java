package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import dytrain.model.ModelSize;
import dytrain.train.StepMetrics;
import dytrain.train.TinyDataset;
import dytrain.train.TrainingFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranks as threads of one JVM (Spark local mode): real barrier stage, real sockets, one libtorch. */
class LocalModeTrainingTest {

  @TempDir static Path data;
  static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    TinyDataset.write(data, 64, 40, 3, 1);
    spark = TrainingSession.start("local[2]", 2, 0);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void twoRanksEndWithTheParametersOfOneRankAtTheSameGlobalBatch(@TempDir Path one, @TempDir Path two) throws Exception {
    TrainingFixture.train(Runs.config(data, 1), one, TrainingFixture.SILENT);
    var outcome = DistributedTraining.run(spark, Runs.config(data, 2), two.toString(), m -> {}, TrainingFixture.QUIET);
    assertEquals(1, outcome.attempts());
    assertEquals(2, outcome.ranks().size());
    Runs.assertSameParameters(one, two, 1e-5);
    assertMfuAgainstBothRanksPeak(one, 1);
    assertMfuAgainstBothRanksPeak(two, 2);
  }

  /**
   * bf16 with ranks: each rank's gradients reach its fp32 master weights in fp32 and the all-reduce averages
   * fp32, so two ranks end where one does, up to bf16 rounding (each rank's weight gradients are bf16
   * matmuls over half the batch, rounded before the fp32 sum).
   */
  @Test
  void twoBfloat16RanksEndNearTheParametersOfOneRank(@TempDir Path one, @TempDir Path two) throws Exception {
    TrainingFixture.train(Runs.config(data, 1, "model.dtype=bfloat16"), one, TrainingFixture.SILENT);
    var outcome = DistributedTraining.run(spark, Runs.config(data, 2, "model.dtype=bfloat16"), two.toString(),
        m -> {}, TrainingFixture.QUIET);
    assertEquals(2, outcome.ranks().size());
    Runs.assertSameParameters(one, two, 2e-2);
  }

  /** MFU divides the whole batch's FLOPs/s by the peak of all ranks together (train.peak_flops = 1e9 each). */
  private static void assertMfuAgainstBothRanksPeak(Path run, int ranks) throws Exception {
    var config = Runs.config(data, ranks);
    double flopsPerToken = ModelSize.of(config.model()).trainingFlopsPerToken(config.seqLen());
    for (StepMetrics row : TrainingFixture.steps(run).subList(0, 3)) {
      double expected = flopsPerToken * row.tokensPerSecond() / (ranks * 1e9);
      assertEquals(expected, row.mfu(), 1e-4 + 1e-3 * expected, row.toString());
    }
  }

  @Test
  void dilocoAllReducesOncePerOuterStepAndTheLossFalls(@TempDir Path run) throws Exception {
    var config = Runs.config(data, 2, "distributed.sync=diloco", "distributed.inner_steps=5", "train.steps=40",
        "train.lr=0.01", "train.checkpoint_every=10");
    var outcome = DistributedTraining.run(spark, config, run.toString(), m -> {}, TrainingFixture.QUIET);
    for (RankReport report : outcome.ranks()) {
      assertEquals(40, report.steps());
      assertEquals(8, report.allReduces(), "40 inner steps / 5 = 8 outer all-reduces, not 40");
    }
    List<StepMetrics> rows = TrainingFixture.steps(run);
    double first = rows.get(0).loss();
    double last = rows.get(rows.size() - 1).loss();
    assertTrue(last < first - 0.5, "loss fell from " + first + " to " + last);
  }

  /** The outer momentum and each rank's own inner AdamW moments survive a restart. */
  @Test
  void aResumedDilocoRunEndsWithTheParametersOfTheUninterruptedOne(@TempDir Path whole, @TempDir Path resumed)
      throws Exception {
    var config = Runs.config(data, 2, "distributed.sync=diloco", "distributed.inner_steps=5", "train.steps=30",
        "train.lr=0.01", "train.checkpoint_every=10", "train.keep_last=5");
    DistributedTraining.run(spark, config, whole.toString(), m -> {}, TrainingFixture.QUIET);
    DistributedTraining.run(spark, config, resumed.toString(), m -> {}, TrainingFixture.QUIET);
    // as if the run had died during steps 20-30: its newest checkpoint is step 20, four outer steps in,
    // when the outer momentum is far from zero
    deleteTree(resumed.resolve("checkpoints/step-00000030"));
    var outcome = DistributedTraining.run(spark, config, resumed.toString(), m -> {}, TrainingFixture.QUIET);
    for (RankReport report : outcome.ranks()) {
      assertEquals(30, report.steps());
      assertEquals(2, report.allReduces(), "the resumed attempt ran steps 20-30 only: 2 outer steps");
    }
    assertTrue(Files.isRegularFile(resumed.resolve("checkpoints/ranks/rank-1/step-00000030.safetensors")));
    Runs.assertSameParameters(whole, resumed, 0);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void aMissingDatasetIsNamedBeforeAnyRankStarts(@TempDir Path run) {
    var e = Assertions.assertThrows(DytrainException.class,
        () -> DistributedTraining.run(spark, Runs.config(data, 2, "data.dataset=no/such/data"), run.toString(), m -> {},
            TrainingFixture.QUIET));
    assertTrue(e.getMessage().contains("no/such/data") && e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void relativePathsMeanTheDriversWorkingFolder() throws Exception {
    // executors run elsewhere (local-cluster: Spark's work folder), so ranks get absolute paths
    String q = DistributedTraining.qualified("runs/x", new Configuration());
    assertEquals(Path.of("runs/x").toAbsolutePath().toUri().toString().replace("file:///", "file:/"), q);
  }

  /** A user error raised inside the ranks reaches the user as that message, at once, not as a retried failure. */
  @Test
  void aRefusedResumeInsideTheRanksIsNamedWithoutRetrying(@TempDir Path run) throws Exception {
    Runs.assertRefusedResumeIsNamedAtOnce(spark, data, run);
  }

  @Test
  void moreRanksThanSlotsIsRefusedBeforeTheJobStarts(@TempDir Path run) {
    var e = Assertions.assertThrows(DytrainException.class,
        () -> DistributedTraining.run(spark, Runs.config(data, 4), run.toString(), m -> {}, TrainingFixture.QUIET));
    assertTrue(e.getMessage().contains("distributed.ranks = 4") && e.getMessage().contains("2 task slot"), e.getMessage());
  }
}
