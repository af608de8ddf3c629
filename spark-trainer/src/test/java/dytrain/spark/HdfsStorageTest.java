package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainException;
import dytrain.config.TrainConfig;
import dytrain.export.ModelExport;
import dytrain.export.SafeTensors;
import dytrain.model.Llama;
import dytrain.prep.PrepJob;
import dytrain.train.AdamW;
import dytrain.train.CheckpointStore;
import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.Rank;
import dytrain.train.RunStart;
import dytrain.train.StepMetrics;
import dytrain.train.TrainState;
import dytrain.train.Trainer;
import dytrain.train.TrainingFixture;
import dytrain.train.TrainingRun;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a real HDFS: a NameNode and two DataNodes in this JVM (one cluster for the class: it
 * takes seconds to start), prep on real Spark, training in a JVM of its own that is killed with SIGKILL.
 */
class HdfsStorageTest {

  @TempDir static java.nio.file.Path local;
  static MiniDFSCluster cluster;
  static FileSystem hdfs;
  static SparkSession spark;
  static String hdfsData;
  static java.nio.file.Path localData;

  @BeforeAll
  static void start() throws Exception {
    Configuration conf = new Configuration();
    conf.setInt("dfs.replication", 2);
    cluster = new MiniDFSCluster.Builder(conf, local.resolve("hdfs").toFile()).numDataNodes(2).build();
    cluster.waitActive();
    hdfs = cluster.getFileSystem();
    spark = TrainingSession.start("local[2]", 1, 0);
    java.nio.file.Path corpus = StorageRuns.writeCorpus(local.resolve("corpus"));
    hdfsData = cluster.getURI() + "/datasets/tiny";
    localData = local.resolve("tiny");
    PrepJob.run(StorageRuns.prep(corpus, hdfsData), spark);
    PrepJob.run(StorageRuns.prep(corpus, localData.toString()), spark);
  }


  @AfterAll
  static void stop() throws Exception {
    if (spark != null) spark.stop();
    if (cluster != null) cluster.shutdown(true);
  }

  /** Same input and settings give byte-identical shards, whatever file system they are written to. */
  @Test
  void prepWritesTheSameShardsToHdfsAsToTheLocalDisk() throws Exception {
    Map<String, byte[]> onHdfs = new TreeMap<>();
    for (FileStatus f : hdfs.listStatus(new Path(hdfsData))) {
      if (!f.isFile()) continue;
      try (var in = hdfs.open(f.getPath())) {
        onHdfs.put(f.getPath().getName(), in.readAllBytes());
      }
    }
    Map<String, byte[]> onDisk = new TreeMap<>();
    for (File f : localData.toFile().listFiles(File::isFile)) {
      onDisk.put(f.getName(), Files.readAllBytes(f.toPath()));
    }
    assertEquals(onDisk.keySet(), onHdfs.keySet());
    assertTrue(onHdfs.keySet().stream().filter(n -> n.endsWith(".parquet")).count() >= 3, onHdfs.keySet().toString());
    onDisk.forEach((name, bytes) -> assertArrayEquals(bytes, onHdfs.get(name), name + " differs"));
  }



  /**
   * A run on HDFS, killed while it writes its last checkpoint and resumed, ends with bitwise the parameters
   * of an uninterrupted run on the local disk: the cut-short folder is never loaded.
   */
  @Test
  void aRunKilledMidCheckpointOnHdfsResumesToTheUninterruptedParameters(@TempDir java.nio.file.Path whole) throws Exception {
    TrainingRun.run(StorageRuns.config(localData.toString()), whole.toString(), RunStart.Resume.IF_PRESENT, Rank.SINGLE,
        TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration());
    String run = cluster.getURI() + "/runs/killed";
    Path checkpoints = new Path(run, "checkpoints");
    boolean caughtMidWrite;
    try (KilledRun child = new KilledRun(run, 12, List.of(), StorageRuns.overrides(hdfsData))) {
      child.awaitCheckpointing(12);
      caughtMidWrite = killOnceWriting(child, new Path(checkpoints, "step-00000012.tmp"));
    }
    assertTrue(caughtMidWrite, "the kill landed while step 12 was being written");
    assertFalse(hdfs.exists(new Path(checkpoints, "step-00000012")), "a folder cut short is never a checkpoint");
    var store = new CheckpointStore(run, new Configuration(), 5, 0);
    assertEquals(8, store.newest().orElseThrow().step());

    TrainingRun.run(StorageRuns.config(hdfsData), run, RunStart.Resume.REQUIRED, Rank.SINGLE, TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration());
    assertEquals(List.of(12L, 8L, 4L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
    assertFalse(hdfs.exists(new Path(checkpoints, "step-00000012.tmp")), "the resumed save swept the half-written folder");
    assertArrayEquals(StorageRuns.lastWeights(whole.toString()), StorageRuns.lastWeights(run), "model.safetensors of the last checkpoint");
  }

  /**
   * A checkpoint that does not fit the HDFS space quota (set as dfsadmin -setSpaceQuota would) stops the
   * run with an error that names the folder and says it is out of quota; the checkpoint before it is kept
   * whole, and a rerun once there is room resumes from it to the uninterrupted parameters.
   */
  @Test
  void aCheckpointOverTheSpaceQuotaFailsClearlyAndKeepsTheOneBefore(@TempDir java.nio.file.Path whole) throws Exception {
    TrainingRun.run(StorageRuns.config(localData.toString()), whole.toString(), RunStart.Resume.IF_PRESENT, Rank.SINGLE,
        TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration());
    String run = cluster.getURI() + "/runs/quota";
    Path checkpoints = new Path("/runs/quota/checkpoints");
    DistributedFileSystem dfs = cluster.getFileSystem();
    // Once step 8 is saved, the checkpoints get 1 MB more room: less than the block the next one's first file takes.
    Trainer.Listener squeeze = new Trainer.Listener() {
      @Override
      public void onStep(StepMetrics m) {}

      @Override
      public void onCheckpoint(long step, String where) {
        if (step == 8) {
          try {
            long used = dfs.getContentSummary(checkpoints).getSpaceConsumed();
            dfs.setQuota(checkpoints, HdfsConstants.QUOTA_DONT_SET, used + (1 << 20));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    };
    var e = assertThrows(DytrainException.class, () -> TrainingRun.run(StorageRuns.config(hdfsData), run,
        RunStart.Resume.IF_PRESENT, Rank.SINGLE, squeeze, TrainingFixture.QUIET, new Configuration()));
    assertTrue(e.getMessage().startsWith("checkpoint " + run + "/checkpoints/step-00000012 does not fit: The DiskSpace quota of "
        + checkpoints + " is exceeded") && e.getMessage().contains("the checkpoint at step 8 is kept"), e.getMessage());
    var store = new CheckpointStore(run, new Configuration(), 5, 0);
    assertEquals(List.of(8L, 4L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
    CheckpointStore.verify(hdfs, store.newest().orElseThrow().dir());

    dfs.setQuota(checkpoints, HdfsConstants.QUOTA_DONT_SET, HdfsConstants.QUOTA_RESET);
    TrainingRun.run(StorageRuns.config(hdfsData), run, RunStart.Resume.REQUIRED, Rank.SINGLE, TrainingFixture.SILENT,
        TrainingFixture.QUIET, new Configuration());
    assertArrayEquals(StorageRuns.lastWeights(whole.toString()), StorageRuns.lastWeights(run), "model.safetensors of the last checkpoint");
  }

  /** Polls the NameNode until the child's checkpoint folder appears, then kills the child at once. */
  private static boolean killOnceWriting(KilledRun child, Path tmp) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline && child.alive()) {
      if (hdfs.exists(tmp)) {
        child.kill();
        return hdfs.exists(tmp);
      }
      Thread.sleep(1);
    }
    return false;
  }


  /**
   * Two ranks (Spark local mode) reading the dataset from HDFS and checkpointing there end bitwise where
   * the same two ranks end on the local disk: the driver's checks, the ranks and the metrics follower all
   * take hdfs:// paths.
   */
  @Test
  void twoRanksOnHdfsEndWhereTheyEndOnTheLocalDisk(@TempDir java.nio.file.Path onDisk) throws Exception {
    String[] twoRanks = {"distributed.ranks=2", "train.global_batch_tokens=128", "train.micro_batch_size=2",
        "distributed.timeout_seconds=60"};
    String run = cluster.getURI() + "/runs/two-ranks";
    var outcome = DistributedTraining.run(spark, StorageRuns.config(hdfsData, twoRanks), run, m -> {}, TrainingFixture.QUIET);
    DistributedTraining.run(spark, StorageRuns.config(localData.toString(), twoRanks), onDisk.toString(), m -> {},
        TrainingFixture.QUIET);
    assertEquals(2, outcome.ranks().size());
    assertEquals(List.of(12L, 8L, 4L), StorageRuns.steps(run));
    assertTrue(hdfs.exists(new Path(run, "metrics.csv")));
    assertArrayEquals(StorageRuns.lastWeights(onDisk.toString()), StorageRuns.lastWeights(run));
  }

  /** An export read from an HDFS checkpoint is the model a local run of the same config trained. */
  @Test
  void anExportFromAnHdfsCheckpointHoldsTheTrainedModel(@TempDir java.nio.file.Path whole, @TempDir java.nio.file.Path out)
      throws Exception {
    var config = StorageRuns.config(hdfsData, "train.steps=4");
    String run = cluster.getURI() + "/runs/export";
    TrainingRun.run(config, run, RunStart.Resume.IF_PRESENT, Rank.SINGLE, TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration());
    TrainingRun.run(StorageRuns.config(localData.toString(), "train.steps=4"), whole.toString(), RunStart.Resume.IF_PRESENT, Rank.SINGLE,
        TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration());
    var store = new CheckpointStore(run, new Configuration(), 5, 0);
    try (Llama model = store.load(store.newest().orElseThrow(), Device.cpu()).model()) {
      ModelExport.write(model, out);
    }
    Map<String, SafeTensors.Tensor> expected = TrainingFixture.finalWeights(whole);
    Map<String, SafeTensors.Tensor> exported =
        SafeTensors.read(new ByteArrayInputStream(Files.readAllBytes(out.resolve(ModelExport.WEIGHTS))), "export");
    assertEquals(expected.keySet(), exported.keySet());
    expected.forEach((name, t) -> assertArrayEquals(t.data(), exported.get(name).data(), name));
  }

  /** HDFS moves a folder into an existing one on rename: a second save of a step must still replace it. */
  @Test
  void savingAStepAgainReplacesItsFolderOnHdfs() throws Exception {
    var modelConfig = ConfigLoader.load(java.nio.file.Path.of("../configs/tiny.yaml"), List.of()).model();
    String run = cluster.getURI() + "/runs/resave";
    var store = new CheckpointStore(run, new Configuration(), 5, 0);
    var state = new TrainState(3, 12, 1, 192, 0, 0, 0, null, null, "byte", null, null);
    for (int seed = 1; seed <= 2; seed++) {
      try (Llama model = Llama.init(modelConfig, seed)) {
        store.save(model, new AdamW(model.parameters(), TrainConfig.defaults()), state, Map.of());
      }
    }
    Path dir = new Path(run, "checkpoints/step-00000003");
    List<String> names = new ArrayList<>();
    for (FileStatus f : hdfs.listStatus(dir)) names.add(f.getPath().getName());
    names.sort(null);
    assertEquals(List.of("DONE", "SHA256SUMS", "config.json", "model.safetensors", "optimizer.safetensors", "state.json"), names);
    byte[] second;
    try (Llama model = Llama.init(modelConfig, 2); var bytes = new ByteArrayOutputStream()) {
      ModelExport.writeWeights(model, bytes);
      second = bytes.toByteArray();
    }
    assertArrayEquals(second, StorageRuns.lastWeights(run), "the folder holds the second save");
  }

  /**
   * A rank keeps metrics.csv open on HDFS and flushes its new rows: a follower sees every flush, though the
   * file's length on the NameNode does not count the block still being written.
   */
  @Test
  void aFollowerSeesEachFlushOfAMetricsFileStillOpenOnHdfs() throws Exception {
    String run = cluster.getURI() + "/runs/followed";
    Path csv = new Path(run, MetricsLog.TRAIN_FILE);
    var follower = new MetricsCsv.StepFollower(hdfs, csv);
    List<Long> seen = new ArrayList<>();
    try (var metrics = new MetricsLog(run, hdfs.getConf())) {
      for (long step = 0; step < 30; step++) {
        metrics.add(new StepMetrics(step, 5.0, 1.0, 1e-3, 64, 100, 0.1, 0.01, 0.1, 0.01, 0.01, false, false));
        if (step % 10 == 9) {
          metrics.flush();
          follower.read().forEach(m -> seen.add(m.step()));
          assertEquals(step + 1, seen.size(), "rows seen after the flush of step " + step);
        }
      }
      assertTrue(hdfs.getFileStatus(csv).getLen() < MetricsCsv.STEP_HEADER.length() + 30 * 40,
          "the NameNode's length of the open file: " + hdfs.getFileStatus(csv).getLen());
    }
    assertEquals(LongStream.range(0, 30).boxed().toList(), seen);
    assertEquals(seen, MetricsCsv.readSteps(hdfs, csv).stream().map(StepMetrics::step).toList());
  }
}
