package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.train.TinyDataset;
import dytrain.train.TrainingFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranks as separate executor JVMs (Spark local-cluster mode, two workers of one core): the real shape of
 * a cluster job on one machine, including a rank's JVM dying mid-run.
 */
class LocalClusterTrainingTest {

  @TempDir static Path data;
  @TempDir static Path uninterrupted;
  static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    TinyDataset.write(data, 64, 40, 3, 1);
    spark = TrainingSession.start(null, 2, 1536);
    // The reference of the recovery test: the same two-rank job, undisturbed.
    DistributedTraining.run(spark, Runs.config(data, 2, "train.steps=120"), uninterrupted.toString(), m -> {},
        TrainingFixture.QUIET);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void twoExecutorJvmsEndWithTheParametersOfOneRank(@TempDir Path one, @TempDir Path two) throws Exception {
    TrainingFixture.train(Runs.config(data, 1), one, TrainingFixture.SILENT);
    DistributedTraining.run(spark, Runs.config(data, 2), two.toString(), m -> {}, TrainingFixture.QUIET);
    Runs.assertSameParameters(one, two, 1e-5);
  }

  /** A rank's user error crosses the JVM boundary with its message, and the run is not relaunched. */
  @Test
  void aUserErrorInAnExecutorIsNamedAtOnce(@TempDir Path run) throws Exception {
    Runs.assertRefusedResumeIsNamedAtOnce(spark, data, run);
  }

  @Test
  void killingAnExecutorMidRunStillEndsWithTheUninterruptedParameters(@TempDir Path run) throws Exception {
    String appId = spark.sparkContext().applicationId();
    AtomicBoolean killed = new AtomicBoolean();
    var log = new ByteArrayOutputStream();
    // Once the checkpoint of step 10 exists, kill the JVM of one rank: an external SIGKILL, as a lost node.
    Thread killer = new Thread(() -> {
      Path checkpoint = run.resolve("checkpoints/step-00000010");
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!Files.exists(checkpoint) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      executors(appId).stream().findFirst().ifPresent(p -> killed.set(p.destroyForcibly()));
    });
    killer.start();
    var outcome = DistributedTraining.run(spark, Runs.config(data, 2, "train.steps=120"), run.toString(), m -> {},
        new PrintStream(log, true));
    killer.join();
    assertTrue(killed.get(), "the run finished before an executor could be killed");
    assertEquals(2, outcome.attempts(), log.toString());
    assertTrue(log.toString().contains("relaunching from the newest checkpoint"), log.toString());
    Runs.assertSameParameters(uninterrupted, run, 0);
  }

  /** This application's executor JVMs (local-cluster starts them as CoarseGrainedExecutorBackend). */
  static List<ProcessHandle> executors(String appId) {
    return ProcessHandle.allProcesses().filter(p -> {
      String c = commandLine(p);
      return c.contains("CoarseGrainedExecutorBackend") && c.contains(appId);
    }).toList();
  }

  /** From /proc: ProcessHandle.Info drops command lines as long as an executor's classpath. */
  static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline"))).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
