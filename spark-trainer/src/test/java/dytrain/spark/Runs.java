package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.export.SafeTensors;
import dytrain.train.TrainingFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assertions;

/** Configs, and checks shared by the distributed tests. */
final class Runs {
  private Runs() {}

  /** Every tensor within {@code tolerance} relative (L2) of the other run's. */
  static void assertSameParameters(Path expectedRun, Path actualRun, double tolerance) throws Exception {
    Map<String, SafeTensors.Tensor> a = TrainingFixture.finalWeights(expectedRun);
    Map<String, SafeTensors.Tensor> b = TrainingFixture.finalWeights(actualRun);
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      float[] x = a.get(name).data();
      float[] y = b.get(name).data();
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < x.length; i++) {
        diff += (x[i] - y[i]) * (double) (x[i] - y[i]);
        norm += x[i] * (double) x[i];
      }
      double relative = Math.sqrt(diff / Math.max(norm, 1e-30));
      assertTrue(relative <= tolerance, name + ": relative difference " + relative + " > " + tolerance);
    }
  }

  /** The tiny model on 2 ranks: 8 sequences per step, 2 per micro-batch (2 micro-batches per rank). */
  static DytrainConfig config(Path data, int ranks, String... more) {
    String[] base = {"train.steps=20", "train.global_batch_tokens=128", "train.micro_batch_size=2",
        "train.checkpoint_every=5", "distributed.ranks=" + ranks, "distributed.checksum_every=5",
        "distributed.timeout_seconds=30", "distributed.executor_memory_mb=1536"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return TrainingFixture.config(data, all);
  }

  /**
   * A resume the ranks refuse (another seq_len) is reported with the rank's own message, at once: a
   * user error is not relaunched.
   */
  static void assertRefusedResumeIsNamedAtOnce(SparkSession spark, Path data, Path run) throws Exception {
    DistributedTraining.run(spark, config(data, 2, "train.steps=5"), run.toString(), m -> {}, TrainingFixture.QUIET);
    var log = new ByteArrayOutputStream();
    var e = Assertions.assertThrows(DytrainException.class,
        () -> DistributedTraining.run(spark, config(data, 2, "train.steps=10", "train.seq_len=8", "train.global_batch_tokens=64"),
            run.toString(), m -> {}, new PrintStream(log, true)));
    assertTrue(e.getMessage().startsWith("train.seq_len = 8, but the run in"), e.getMessage());
    assertTrue(!log.toString().contains("relaunching"), "a user error is not retried: " + log);
  }
}
