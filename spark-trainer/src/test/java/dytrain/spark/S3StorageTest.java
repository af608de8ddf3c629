package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.prep.PrepJob;
import dytrain.train.CheckpointStore;
import dytrain.train.Rank;
import dytrain.train.RunStart;
import dytrain.train.TrainingFixture;
import dytrain.train.TrainingRun;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on s3a:// against a real S3 API server (s3proxy, in this JVM, one per class). S3 has no
 * rename, so a checkpoint is whole only once its marker is uploaded: these tests cut uploads short.
 */
class S3StorageTest {

  @TempDir static java.nio.file.Path local;
  static S3Server s3;
  static SparkSession spark;
  static FileSystem fs;
  static final String S3_DATA = "s3a://" + S3Server.BUCKET + "/datasets/tiny";
  static java.nio.file.Path localData;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Server();
    s3.sparkOnlySettings().forEach(System::setProperty); // read into the session's SparkConf, as --conf would be
    try {
      spark = TrainingSession.start("local[2]", 1, 0);
    } finally {
      s3.sparkOnlySettings().keySet().forEach(System::clearProperty);
    }
    fs = new Path(S3_DATA).getFileSystem(new Configuration());
    java.nio.file.Path corpus = StorageRuns.writeCorpus(local.resolve("corpus"));
    localData = local.resolve("tiny");
    PrepJob.run(StorageRuns.prep(corpus, S3_DATA), spark);
    PrepJob.run(StorageRuns.prep(corpus, localData.toString()), spark);
  }

  @AfterAll
  static void stop() throws Exception {
    if (spark != null) spark.stop();
    if (fs != null) fs.close();
    if (s3 != null) s3.close();
  }

  @Test
  void prepWritesTheSameShardsToS3AsToTheLocalDisk() throws Exception {
    Map<String, byte[]> onS3 = new TreeMap<>();
    for (FileStatus f : fs.listStatus(new Path(S3_DATA))) {
      if (!f.isFile()) continue;
      try (var in = fs.open(f.getPath())) {
        onS3.put(f.getPath().getName(), in.readAllBytes());
      }
    }
    Map<String, byte[]> onDisk = new TreeMap<>();
    for (File f : localData.toFile().listFiles(File::isFile)) {
      onDisk.put(f.getName(), Files.readAllBytes(f.toPath()));
    }
    assertEquals(onDisk.keySet(), onS3.keySet());
    assertTrue(onS3.keySet().stream().filter(n -> n.endsWith(".parquet")).count() >= 3, onS3.keySet().toString());
    onDisk.forEach((name, bytes) -> assertArrayEquals(bytes, onS3.get(name), name + " differs"));
  }

  /**
   * The training process is killed (SIGKILL) while the server holds the upload of step 12's optimizer
   * state: step 12 has some files and no marker, so the resumed run starts from step 8 and ends with
   * bitwise the parameters of an uninterrupted run on the local disk.
   */
  @Test
  void aRunKilledDuringACheckpointUploadResumesFromThePreviousCheckpoint(@TempDir java.nio.file.Path whole) throws Exception {
    TrainingRun.run(StorageRuns.config(localData.toString()), whole.toString(), RunStart.Resume.IF_PRESENT, Rank.SINGLE,
        TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration());
    String run = "s3a://" + S3Server.BUCKET + "/runs/killed";
    S3Server.Hold hold = s3.hold("runs/killed/checkpoints/step-00000012/" + CheckpointStore.OPTIMIZER);
    try (KilledRun child = new KilledRun(run, 12, s3.properties(), StorageRuns.overrides(S3_DATA))) {
      hold.awaitArrival();
      child.kill();
    } finally {
      hold.release();
    }
    List<String> uploaded = names(new Path(run, "checkpoints/step-00000012"));
    assertTrue(uploaded.contains("model.safetensors") && !uploaded.contains(CheckpointStore.OPTIMIZER)
        && !uploaded.contains(CheckpointStore.DONE), "a checkpoint cut short mid-upload: " + uploaded);
    assertEquals(List.of(8L, 4L), StorageRuns.steps(run), "the unmarked folder is no checkpoint");

    TrainingRun.run(StorageRuns.config(S3_DATA), run, RunStart.Resume.REQUIRED, Rank.SINGLE, TrainingFixture.SILENT,
        TrainingFixture.QUIET, new Configuration());
    assertEquals(List.of(12L, 8L, 4L), StorageRuns.steps(run));
    assertArrayEquals(StorageRuns.lastWeights(whole.toString()), StorageRuns.lastWeights(run));
  }

  /**
   * A newest folder without its marker is skipped, one whose file was cut short is refused by its checksum,
   * and a stray unmarked folder is swept by the next save: the run resumes from step 4 and still ends
   * with the uninterrupted run's parameters.
   */
  @Test
  void aFolderWithoutItsMarkerOrWithATruncatedFileIsNeverLoaded(@TempDir java.nio.file.Path whole) throws Exception {
    TrainingRun.run(StorageRuns.config(localData.toString()), whole.toString(), RunStart.Resume.IF_PRESENT, Rank.SINGLE,
        TrainingFixture.SILENT, TrainingFixture.QUIET, new Configuration());
    String run = "s3a://" + S3Server.BUCKET + "/runs/damaged";
    TrainingRun.run(StorageRuns.config(S3_DATA), run, RunStart.Resume.IF_PRESENT, Rank.SINGLE, TrainingFixture.SILENT,
        TrainingFixture.QUIET, new Configuration());
    Path checkpoints = new Path(run, "checkpoints");
    assertTrue(fs.delete(new Path(checkpoints, "step-00000012/" + CheckpointStore.DONE), false));
    Path weights = new Path(checkpoints, "step-00000008/model.safetensors");
    byte[] bytes;
    try (var in = fs.open(weights)) {
      bytes = in.readAllBytes();
    }
    try (OutputStream out = fs.create(weights, true)) {
      out.write(bytes, 0, bytes.length / 2);
    }
    try (OutputStream out = fs.create(new Path(checkpoints, "step-00000010/model.safetensors"), true)) {
      out.write(bytes, 0, 100);
    }
    assertEquals(List.of(8L, 4L), StorageRuns.steps(run));

    var log = new ByteArrayOutputStream();
    TrainingRun.run(StorageRuns.config(S3_DATA), run, RunStart.Resume.REQUIRED, Rank.SINGLE, TrainingFixture.SILENT,
        new PrintStream(log, true), new Configuration());
    assertTrue(log.toString().contains("step-00000008 is damaged"), log.toString());
    assertTrue(log.toString().contains("step-00000004 (step 4)"), log.toString());
    assertFalse(fs.exists(new Path(checkpoints, "step-00000010")), "the save swept the unmarked folder");
    assertEquals(List.of(12L, 8L, 4L), StorageRuns.steps(run));
    assertArrayEquals(StorageRuns.lastWeights(whole.toString()), StorageRuns.lastWeights(run));
  }

  /**
   * S3A settings given only as Spark settings (spark.hadoop.*) reach the ranks, as they reach the driver:
   * two ranks checkpoint into a bucket a plain Hadoop Configuration cannot reach, and end bitwise where
   * the same two ranks end on the local disk.
   */
  @Test
  void ranksReachABucketConfiguredOnlyInSparkSettings(@TempDir java.nio.file.Path onDisk) throws Exception {
    String run = "s3a://" + S3Server.SPARK_ONLY_BUCKET + "/runs/two-ranks";
    assertThrows(IOException.class, () -> new Path(run).getFileSystem(new Configuration()).exists(new Path(run)),
        "a plain Configuration does not know this bucket's endpoint");
    String[] twoRanks = {"distributed.ranks=2", "train.global_batch_tokens=128", "train.micro_batch_size=2",
        "distributed.timeout_seconds=60"};
    DistributedTraining.run(spark, StorageRuns.config(S3_DATA, twoRanks), run, m -> {}, TrainingFixture.QUIET);
    DistributedTraining.run(spark, StorageRuns.config(localData.toString(), twoRanks), onDisk.toString(), m -> {},
        TrainingFixture.QUIET);
    Configuration sparkSettings = spark.sparkContext().hadoopConfiguration();
    assertEquals(List.of(12L, 8L, 4L), StorageRuns.steps(run, sparkSettings));
    assertArrayEquals(StorageRuns.lastWeights(onDisk.toString(), sparkSettings), StorageRuns.lastWeights(run, sparkSettings));
  }

  private static List<String> names(Path dir) throws Exception {
    List<String> names = new ArrayList<>();
    for (FileStatus f : fs.listStatus(dir)) names.add(f.getPath().getName());
    return names;
  }
}
