package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import dytrain.io.FullDisk;
import dytrain.model.Llama;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    assertTrue(Files.isRegularFile(run.resolve(MetricsLog.TRAIN_FILE)));
    assertTrue(Files.isRegularFile(run.resolve(MetricsLog.EVAL_FILE)));

    // The Parquet copy holds the same rows, typed.
    List<StepMetrics> csv = TrainingFixture.steps(run);
    List<Group> rows = readParquet(run.resolve(MetricsLog.TRAIN_PARQUET));
    assertEquals(csv.size(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(csv.get(i).step(), rows.get(i).getLong("step", 0));
      assertEquals(csv.get(i).loss(), rows.get(i).getDouble("loss", 0));
      assertEquals(csv.get(i).skipped() ? 1 : 0, rows.get(i).getLong("skipped", 0));
    }
    List<Group> evalRows = readParquet(run.resolve(MetricsLog.EVAL_PARQUET));
    assertEquals(List.of(100L, 200L), evalRows.stream().map(g -> g.getLong("step", 0)).toList());
    assertEquals(evals.get(1), evalRows.get(1).getDouble("val_loss", 0), 1e-6);
  }

  private static List<Group> readParquet(Path file) throws Exception {
    List<Group> rows = new ArrayList<>();
    var path = new org.apache.hadoop.fs.Path(file.toUri());
    try (var in = ParquetReader.builder(new GroupReadSupport(), path)
        .withConf(new Configuration()).build()) {
      for (Group g = in.read(); g != null; g = in.read()) {
        rows.add(g);
      }
    }
    return rows;
  }

  @ParameterizedTest
  @ValueSource(strings = {"float32", "bfloat16"})
  void resumedRunMatchesUninterruptedRun(String dtype, @TempDir Path uninterrupted) throws Exception {
    var config = TrainingFixture.config(data, "train.checkpoint_every=3", "model.dtype=" + dtype);
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

  /** A bf16 run's checkpoints hold fp32 master weights, so a float32 run resumes from them (and vice versa). */
  @Test
  void bfloat16RunResumesInFloat32() throws Exception {
    var bf16 = TrainingFixture.config(data, "model.dtype=bfloat16", "train.steps=6", "train.checkpoint_every=3");
    TrainingFixture.train(bf16, run, TrainingFixture.SILENT);
    var fp32 = TrainingFixture.config(data, "model.dtype=float32", "train.steps=8", "train.checkpoint_every=3");
    List<Long> resumedSteps = new ArrayList<>();
    TrainingFixture.train(fp32, run, m -> resumedSteps.add(m.step()));
    assertEquals(List.of(6L, 7L), resumedSteps, "resumed after the bf16 run's last checkpoint");
  }

  /** A damaged newest checkpoint (here one flipped byte) is passed over: the run resumes from the one before. */
  @Test
  void resumeFallsBackFromADamagedCheckpointToTheOneBefore(@TempDir Path uninterrupted) throws Exception {
    var config = TrainingFixture.config(data, "train.checkpoint_every=3", "train.keep_last=3");
    TrainingFixture.train(config, uninterrupted, TrainingFixture.SILENT);
    assertThrows(IllegalStateException.class, () -> TrainingFixture.train(config, run, m -> {
      if (m.step() == 7) {
        throw new IllegalStateException("simulated crash");
      }
    }));
    Path weights = run.resolve("checkpoints/step-00000006/model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length - 1] ^= 1;
    Files.write(weights, bytes);
    var log = new ByteArrayOutputStream();
    TrainingRun.run(config, run.toString(), RunStart.Resume.IF_PRESENT, Rank.SINGLE, TrainingFixture.SILENT,
        new PrintStream(log, true, StandardCharsets.UTF_8), new Configuration());
    String printed = log.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("step-00000006 is damaged") && printed.contains("step-00000003 (step 3)"), printed);
    var expected = TrainingFixture.finalWeights(uninterrupted);
    var actual = TrainingFixture.finalWeights(run);
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name).data(), actual.get(name).data(), 0f, name);
    }
  }

  /** Settings that shape the function (not only the tensors) cannot change on resume: they would be ignored. */
  @Test
  void resumeWithAnotherRopeThetaIsRefused() throws Exception {
    TrainingFixture.train(TrainingFixture.config(data, "train.steps=4"), run, TrainingFixture.SILENT);
    var e = assertThrows(DytrainException.class, () -> TrainingFixture.train(
        TrainingFixture.config(data, "train.steps=6", "model.rope_theta=500000"), run, TrainingFixture.SILENT));
    assertTrue(e.getMessage().contains("model.rope_theta = 500000.0 in the config, 10000.0 in the checkpoint"), e.getMessage());
  }

  @Test
  void resumeRefusesEveryModelSettingTheCheckpointWouldOverride() {
    var have = TrainingFixture.config(data).model();
    for (String change : List.of("model.norm_eps=0.001", "model.max_seq_len=32", "model.hidden_size=64")) {
      var want = TrainingFixture.config(data, change).model();
      var e = assertThrows(DytrainException.class, () -> RunCompatibility.requireSameModel(want, have, "ckpt"));
      String key = change.substring(0, change.indexOf('='));
      assertTrue(e.getMessage().contains(key + " = "), change + ": " + e.getMessage());
    }
  }

  @Test
  void resumeFlagWithoutACheckpointIsAnError() {
    var config = TrainingFixture.config(data);
    var e = assertThrows(DytrainException.class, () -> TrainingRun.run(config, run.toString(), RunStart.Resume.REQUIRED,
        Rank.SINGLE, TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration()));
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

  @Test
  void resumeWithAnotherGlobalBatchContinuesFromTheRecordedWindow() throws Exception {
    TrainingFixture.train(TrainingFixture.config(data, "train.steps=4", "train.global_batch_tokens=64"), run, TrainingFixture.SILENT);
    TrainState end = TrainingFixture.train(
        TrainingFixture.config(data, "train.steps=8", "train.global_batch_tokens=128"), run, TrainingFixture.SILENT);
    assertEquals(8, end.step());
    assertEquals(4 * 4 + 4 * 8, end.nextWindow(), "4 steps of 4 sequences, then 4 of 8, none skipped or replayed");
  }

  @Test
  void resumeWithAnotherSequenceLengthIsRefused(@TempDir Path unset) throws Exception {
    TrainingFixture.train(TrainingFixture.config(data, "train.steps=4"), run, TrainingFixture.SILENT);
    var seqLen = assertThrows(DytrainException.class, () -> TrainingFixture.train(
        TrainingFixture.config(data, "train.steps=8", "train.seq_len=8", "train.global_batch_tokens=32"), run, TrainingFixture.SILENT));
    assertTrue(seqLen.getMessage().contains("train.seq_len = 8") && seqLen.getMessage().contains("train.seq_len = 16"),
        seqLen.getMessage());
    // unset, train.seq_len is the model's max_seq_len (64 in tiny.yaml): setting it later is a change too
    TrainingFixture.train(TrainingFixture.config(data, "train.steps=2", "train.seq_len=null", "train.global_batch_tokens=256"),
        unset, TrainingFixture.SILENT);
    var fromDefault = assertThrows(DytrainException.class, () -> TrainingFixture.train(
        TrainingFixture.config(data, "train.steps=4", "train.seq_len=16", "train.global_batch_tokens=256"), unset,
        TrainingFixture.SILENT));
    assertTrue(fromDefault.getMessage().contains("trained with train.seq_len = 64"), fromDefault.getMessage());
  }

  @Test
  void resumeOnADatasetWithAnotherTokenizerIsRefused(@TempDir Path other) throws Exception {
    TrainingFixture.train(TrainingFixture.config(data, "train.steps=4"), run, TrainingFixture.SILENT);
    TinyDataset.write(other, 64, 40, 3, 1);
    Files.writeString(other.resolve("tokenizer.json"), "{\"model\": {}}");
    var e = assertThrows(DytrainException.class, () -> TrainingFixture.train(
        TrainingFixture.config(other, "train.steps=8"), run, TrainingFixture.SILENT));
    assertTrue(e.getMessage().contains("was made with tokenizer a tokenizer.json of 13 bytes")
        && e.getMessage().contains("was trained on byte-test"), e.getMessage());
  }

  /**
   * On a disk that fills up at a checkpoint, the run ends with the checkpoint's own error (what does not
   * fit, what is kept), not with the metrics flush that follows it failing on the same full disk.
   */
  @Test
  void aRunOnADiskThatFillsUpEndsWithTheCheckpointsError() {
    var e = assertThrows(DytrainException.class, () -> TrainingRun.run(TrainingFixture.config(data), run.toString(),
        RunStart.Resume.IF_PRESENT, Rank.SINGLE, TrainingFixture.SILENT, TrainingFixture.QUIET,
        FullDisk.on(new Configuration(), 30_000)));
    assertTrue(e.getMessage().contains("checkpoints/step-00000004 does not fit: No space left on device"), e.getMessage());
  }

  /** A Parquet copy holds every row: rebuilt at each checkpoint, it read all of a long run's CSV each time. */
  @Test
  void theMetricsParquetCopiesAreWrittenWhenTheRunEndsNotAtItsCheckpoints() throws Exception {
    List<Boolean> copyAtCheckpoint = new ArrayList<>();
    TrainingFixture.train(TrainingFixture.config(data), run, new Trainer.Listener() {
      @Override
      public void onStep(StepMetrics m) {}

      @Override
      public void onCheckpoint(long step, String where) {
        copyAtCheckpoint.add(Files.exists(run.resolve(MetricsLog.TRAIN_PARQUET)));
      }
    });
    assertEquals(List.of(false, false, false), copyAtCheckpoint);
    assertTrue(Files.isRegularFile(run.resolve(MetricsLog.TRAIN_PARQUET)));
    assertTrue(Files.isRegularFile(run.resolve(MetricsLog.EVAL_PARQUET)));
  }

  @Test
  void metricsRowsHoldEachStepsMeasurements() throws Exception {
    var config = TrainingFixture.config(data, "train.steps=6");
    List<StepMetrics> seen = new ArrayList<>();
    TrainingFixture.train(config, run, seen::add);
    List<String> lines = Files.readAllLines(run.resolve(MetricsLog.TRAIN_FILE));
    // the header existing run folders hold, spelled out: a renamed or moved column breaks them (new ones go last)
    assertEquals("step,loss,grad_norm,lr,tokens,tokens_per_s,mfu,data_ms,compute_ms,allreduce_ms,optimizer_ms,skipped,outlier",
        lines.get(0));
    assertEquals(7, lines.size());
    List<StepMetrics> csv = TrainingFixture.steps(run);
    var schedule = LrSchedule.of(config.train());
    // FLOPs per token from the model's own parameter shapes: 6 per matmul weight (the head once) plus attention
    long matmul = (long) config.model().vocabSize() * config.model().hiddenSize();
    try (var model = Llama.init(config.model(), 1)) {
      for (var e : model.parameters().all().entrySet()) {
        if (e.getKey().startsWith("model.layers.") && e.getValue().getShape().dimension() == 2) matmul += e.getValue().size();
      }
    }
    double flopsPerToken = 6.0 * matmul + 12.0 * config.model().numLayers() * config.model().hiddenSize() * config.seqLen();
    for (int i = 0; i < 6; i++) {
      StepMetrics m = csv.get(i);
      assertEquals(i, m.step());
      assertEquals(seen.get(i).loss(), m.loss(), 1e-6);
      assertEquals(seen.get(i).gradNorm(), m.gradNorm(), 1e-6);
      assertTrue(m.gradNorm() > 0);
      assertEquals(schedule.at(i), m.lr(), 1e-6 * schedule.at(i), "lr at step " + i);
      long tokens = m.tokens();
      assertEquals((long) config.globalBatchSequences() * config.seqLen(), tokens);
      double tokensPerSecond = m.tokensPerSecond();
      assertEquals(flopsPerToken * tokensPerSecond / 1e9, m.mfu(), 1e-4 + 1e-3 * m.mfu(),
          "MFU = FLOPs per token x tokens/s / train.peak_flops");
      double stepMs = 1e3 * tokens / tokensPerSecond;
      double data = m.dataSeconds() * 1e3;
      double compute = m.computeSeconds() * 1e3;
      double optimizer = m.optimizerSeconds() * 1e3;
      assertTrue(data >= 0 && compute > 0 && optimizer >= 0, lines.get(i + 1));
      assertTrue(data + compute + m.communicationSeconds() * 1e3 + optimizer <= stepMs * 1.01 + 0.1,
          "the parts of a step fit in it: " + lines.get(i + 1));
    }
  }
}
