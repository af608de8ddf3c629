package dytrain.spark;

import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.train.CheckpointStore;
import dytrain.train.Rank;
import dytrain.train.RunStart;
import dytrain.train.TrainState;
import dytrain.train.Trainer;
import dytrain.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The "train a run" service: trains as a config asks, in this process or as a data-parallel job on Spark
 * (several ranks, a chosen master, or under spark-submit). The train command, the quickstart and sweep
 * trials all go through here.
 */
public final class TrainJob {
  private TrainJob() {}

  /**
   * @param master a Spark master for a local multi-rank run (null: local-cluster, one executor JVM per rank)
   */
  public record Request(DytrainConfig config, String runDir, RunStart.Resume resume, String master) {

    /** Spark is needed for several ranks, an explicit master, or when spark-submit launched us. */
    boolean distributed() {
      return TrainingSession.submitted() || master != null || config.distributed().ranks() > 1;
    }
  }

  /** How a run ended, said in one line. */
  public interface Finished {
    String summary();
  }

  /** A run in this process. */
  public record Local(TrainState end) implements Finished {
    @Override
    public String summary() {
      return String.format("done: %d steps, %,d tokens, %d skipped updates", end.step(), end.tokensSeen(),
          end.skippedUpdates());
    }
  }

  /** A data-parallel run on Spark. */
  public record Distributed(DistributedTraining.Outcome outcome) implements Finished {
    @Override
    public String summary() {
      return String.format("done: %d ranks, %d attempt(s); %s", outcome.ranks().size(), outcome.attempts(),
          String.join("; ", outcome.ranks().stream().map(RankReport::toString).toList()));
    }
  }

  public static Finished run(Request request, Trainer.Listener listener, PrintStream log) throws IOException {
    DytrainConfig config = request.config();
    if (!request.distributed()) {
      return new Local(TrainingRun.run(config, request.runDir(), request.resume(), Rank.SINGLE, listener, log,
          new Configuration()));
    }
    var d = config.distributed();
    SparkSession spark = TrainingSession.start(request.master(), d.ranks(), d.executorMemoryMb());
    try {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      TrainingRun.requireRunFolder(request.runDir(), conf);
      if (request.resume() == RunStart.Resume.REQUIRED && CheckpointStore.newestIn(request.runDir(), conf).isEmpty()) {
        throw new DytrainException("--resume: no complete checkpoint in " + CheckpointStore.folderOf(request.runDir()));
      }
      return new Distributed(DistributedTraining.run(spark, config, request.runDir(), listener, log));
    } finally {
      spark.stop();
    }
  }
}
