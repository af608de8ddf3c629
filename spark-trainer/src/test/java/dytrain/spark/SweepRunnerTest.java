package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.ConfigLoader;
import dytrain.data.DatasetFileSystem;
import dytrain.export.SafeTensors;
import dytrain.sweep.CooldownPlan;
import dytrain.sweep.ResultRow;
import dytrain.sweep.ResultsTable;
import dytrain.sweep.Trial;
import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.TinyDataset;
import dytrain.train.TrainingFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-trial sweep of the tiny model with two budgets (a 20-step WSD trunk and a cooldown branch at step
 * 8 to 10 steps), trained once with two slots; each test checks one behaviour of it or of a rerun. The
 * trunk checkpoints every 6 steps, so the branch point exists only because train.checkpoint_at asks for it.
 */
class SweepRunnerTest {

  @TempDir static Path dir;
  static Path data;
  static Path sweepFile;
  static Path sweepDir;
  static SweepRunner.Summary first;
  static final List<SweepRunner.Counts> firstCounts = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void trainTheSweep() throws Exception {
    data = dir.resolve("data");
    TinyDataset.write(data, 64, 40, 3, 1);
    sweepFile = writeSweep("sweep.yaml", """
        grid:
          model.norm_type: [rmsnorm, dyt]
        budgets: [640, 1280]
        """);
    sweepDir = dir.resolve("sweep");
    first = SweepRunner.run(new SweepRunner.Request(sweepFile, sweepDir.toString(), "local[2]", 2),
        (counts, event) -> firstCounts.add(counts), TrainingFixture.QUIET);
  }

  static Path writeSweep(String name, String rest) throws Exception {
    String text = "base: " + Path.of("../configs/tiny.yaml").toAbsolutePath() + "\n"
        + "set:\n  data.dataset: " + data + "\n  train.seq_len: 16\n  train.micro_batch_size: 4\n  train.lr: 0.003\n"
        + "  train.eval_every: 4\n  train.eval_batches: 2\n  train.checkpoint_every: 6\n  train.peak_flops: 1.0e9\n" + rest;
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void everyTrialAndBudgetHasADoneRowWithItsFinalValidationLoss() throws Exception {
    List<ResultRow> rows = ResultsTable.readCsv(DatasetFileSystem.of(new org.apache.hadoop.fs.Path(
        sweepDir.toUri()), new Configuration()), new org.apache.hadoop.fs.Path(sweepDir.resolve("results.csv").toUri()));
    assertEquals(4, rows.size());
    rows.forEach(r -> assertEquals(ResultRow.Status.DONE, r.status(), r.toString()));
    assertEquals(List.of(640L, 1280L, 640L, 1280L), rows.stream().map(ResultRow::tokens).toList());
    assertTrue(Files.exists(sweepDir.resolve("results.parquet")));
    assertEquals(rows, ResultsTable.readParquet(new org.apache.hadoop.fs.Path(sweepDir.resolve("results.parquet").toUri()),
        new Configuration()));
    // the trunk's row is its eval at step 20, read independently of the runner
    Trial t = SweepRunner.trials(sweepFile).get(0);
    assertEquals(lastEval(sweepDir.resolve("trials").resolve(t.id()), 20), rows.get(1).loss(), 0);
  }

  @Test
  void theConsoleCountsEachTrialOnceAndNeverMoreRunningThanSlots() {
    assertFalse(firstCounts.isEmpty());
    int doneBefore = 0;
    for (SweepRunner.Counts c : firstCounts) {
      assertEquals(2, c.done() + c.running() + c.failed() + c.left(), c.toString());
      assertTrue(c.running() <= 2, c.toString());
      assertTrue(c.done() >= doneBefore, "done went down: " + firstCounts);
      doneBefore = c.done();
    }
    SweepRunner.Counts last = firstCounts.get(firstCounts.size() - 1);
    assertEquals(new SweepRunner.Counts(2, 0, 0, 0, last.etaSeconds()), last);
  }

  @Test
  void aCooldownBranchEndsWithTheWeightsOfAStandaloneRunToItsBudget(@TempDir Path standalone) throws Exception {
    for (Trial t : SweepRunner.trials(sweepFile)) {
      CooldownPlan.Branch branch = t.plan().branches().get(0);
      assertEquals(8, branch.branchStep());
      var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), t.setArguments(branch));
      Path alone = standalone.resolve(t.id());
      TrainingFixture.train(config, alone, TrainingFixture.SILENT);
      Path cooled = sweepDir.resolve("trials").resolve(t.id()).resolve("cooldown-640");
      assertBitwiseEqual(TrainingFixture.finalWeights(alone), TrainingFixture.finalWeights(cooled));
      assertEquals(lastEval(alone, 10), lastEval(cooled, 10), 0);
    }
  }

  @Test
  void aRerunTrainsNothingAndLeavesTheTableAsItWas() throws Exception {
    byte[] csv = Files.readAllBytes(sweepDir.resolve("results.csv"));
    byte[] parquet = Files.readAllBytes(sweepDir.resolve("results.parquet"));
    var again = SweepRunner.run(new SweepRunner.Request(sweepFile, sweepDir.toString(), "local[2]", 2),
        SweepRunner.Progress.SILENT, TrainingFixture.QUIET);
    assertEquals(0, again.unitsTrained());
    assertEquals(0, again.stepsTrained());
    assertArrayEquals(csv, Files.readAllBytes(sweepDir.resolve("results.csv")));
    assertArrayEquals(parquet, Files.readAllBytes(sweepDir.resolve("results.parquet")));
  }

  /** As if the driver died near the end of trial 0's trunk: its final checkpoint and its rows are gone. */
  @Test
  void aKilledTrialResumesFromItsLastCheckpointAndEndsAsBefore(@TempDir Path copy) throws Exception {
    Path sweep = copy.resolve("sweep");
    copyTree(sweepDir, sweep);
    Trial t = SweepRunner.trials(sweepFile).get(0);
    Path trunk = sweep.resolve("trials").resolve(t.id());
    deleteTree(trunk.resolve("checkpoints").resolve("step-00000020"));
    var fs = DatasetFileSystem.of(new org.apache.hadoop.fs.Path(sweep.toUri()), new Configuration());
    var csv = new org.apache.hadoop.fs.Path(sweep.resolve("results.csv").toUri());
    List<ResultRow> before = ResultsTable.readCsv(fs, csv);
    ResultsTable.writeCsv(fs, csv, before.stream().filter(r -> !r.trial().equals(t.id())).toList());

    var resumed = SweepRunner.run(new SweepRunner.Request(sweepFile, sweep.toString(), "local[2]", 2),
        SweepRunner.Progress.SILENT, TrainingFixture.QUIET);
    assertEquals(2, resumed.stepsTrained(), "steps 18-20 of the trunk; the branch had finished");
    assertEquals(before.stream().map(ResultRow::loss).toList(), resumed.rows().stream().map(ResultRow::loss).toList());
    assertBitwiseEqual(TrainingFixture.finalWeights(sweepDir.resolve("trials").resolve(t.id())),
        TrainingFixture.finalWeights(trunk));
  }

  @Test
  void aTrialThatFailsAtTrainTimeIsLaunchedAgainThenRecordedWithItsError() throws Exception {
    // the dataset's tokenizer has 64 ids: a 32-token model is refused when the run opens it, not before
    Path file = writeSweep("failing.yaml", """
          train.steps: 4
          model.vocab_size: 32
        max_attempts: 2
        """);
    List<String> events = new ArrayList<>();
    var summary = SweepRunner.run(new SweepRunner.Request(file, dir.resolve("failing").toString(), "local[1]", 1),
        (counts, event) -> events.add(event), TrainingFixture.QUIET);
    assertEquals(2, events.stream().filter(e -> e.startsWith("started")).count(), events.toString());
    assertEquals(1, summary.failedTrials());
    ResultRow row = summary.rows().get(0);
    assertEquals(ResultRow.Status.FAILED, row.status());
    assertTrue(row.error().contains("model.vocab_size = 32"), row.error());
    assertTrue(Files.readString(dir.resolve("failing").resolve("results.csv")).contains(",failed,"));
  }

  private static double lastEval(Path run, long step) throws Exception {
    var file = new org.apache.hadoop.fs.Path(run.resolve(MetricsLog.EVAL_FILE).toUri());
    var evals = MetricsCsv.readEvals(DatasetFileSystem.of(file, new Configuration()), file);
    return evals.stream().filter(e -> e.step() == step).findFirst().orElseThrow().loss();
  }

  private static void assertBitwiseEqual(Map<String, SafeTensors.Tensor> a, Map<String, SafeTensors.Tensor> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name).data(), b.get(name).data(), name);
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
  }

  private static void deleteTree(Path root) throws Exception {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
