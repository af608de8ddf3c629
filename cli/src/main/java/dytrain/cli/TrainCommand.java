package dytrain.cli;

import dytrain.config.DytrainConfig;
import dytrain.model.ModelSize;
import dytrain.train.CheckpointStore;
import dytrain.train.TrainState;
import dytrain.train.TrainingRun;
import dytrain.spark.DistributedTraining;
import dytrain.spark.TrainingSession;
import org.apache.spark.sql.SparkSession;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", description = "Train on a dataset made by dytrain prep; rerunning into the same run folder resumes.")
final class TrainCommand implements java.util.concurrent.Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "checkpoints, metrics and plots (local or Hadoop URI); default runs/<config name>")
  String runDir;

  @Option(names = "--resume", description = "fail unless the run folder holds a checkpoint to continue from")
  boolean resume;

  @Option(names = "--ranks", description = "data-parallel ranks (distributed.ranks); more than 1 runs on Spark")
  Integer ranks;

  @Option(names = "--master", description = "Spark master for a local run: local[N] runs the ranks as threads;"
      + " default local-cluster (one executor JVM per rank). Ignored under spark-submit.")
  String master;

  @Override
  public Integer call() throws Exception {
    if (ranks != null) {
      options.overrides.add("distributed.ranks=" + Flags.positive("--ranks", ranks));
    }
    DytrainConfig config = options.load();
    String dir = runDir != null ? runDir : defaultRunDir(options.config);
    describe(config, dir);
    boolean distributed = TrainingSession.submitted() || master != null || config.distributed().ranks() > 1;
    if (distributed) {
      trainOnSpark(config, dir);
    } else {
      TrainState end;
      try (ConsoleProgress progress = new ConsoleProgress("train", config.train().steps(), System.out)) {
        end = TrainingRun.run(config, dir, resume, TrainingRun.Rank.SINGLE, progress, System.out);
      }
      System.out.printf("done: %d steps, %,d tokens, %d skipped updates%n", end.step(), end.tokensSeen(), end.skippedUpdates());
    }
    var png = LossPlot.write(dir, "dytrain " + options.config.getFileName() + " (" + config.model().normType().key() + ")");
    System.out.printf("metrics, checkpoints and %s in %s%n", png.getName(), dir);
    return 0;
  }

  private void trainOnSpark(DytrainConfig config, String dir) throws java.io.IOException {
    TrainingRun.requireRunFolder(dir, new org.apache.hadoop.conf.Configuration());
    if (resume && CheckpointStore.newestIn(dir, new org.apache.hadoop.conf.Configuration()).isEmpty()) {
      throw new dytrain.config.DytrainException("--resume: no complete checkpoint in " + CheckpointStore.folderOf(dir));
    }
    var d = config.distributed();
    SparkSession spark = TrainingSession.start(master, d.ranks(), d.executorMemoryMb());
    try (ConsoleProgress progress = new ConsoleProgress("train", config.train().steps(), System.out)) {
      var outcome = DistributedTraining.run(spark, config, dir, progress, System.out);
      progress.close();
      System.out.printf("done: %d ranks, %d attempt(s); per rank (rank,steps,all-reduces,bytes sent): %s%n",
          d.ranks(), outcome.attempts(), outcome.ranks());
    } finally {
      spark.stop();
    }
  }

  static String defaultRunDir(Path config) {
    return Path.of("runs", config.getFileName().toString().replaceFirst("\\.ya?ml$", "")).toString();
  }

  static void describe(DytrainConfig c, String dir) {
    var size = ModelSize.of(c.model());
    int tokensPerStep = c.globalBatchSequences() * c.seqLen();
    System.out.printf("model: %,d parameters (%,d non-embedding), norm %s; %s%n", size.total(), size.nonEmbedding(),
        c.model().normType().key(), c.data().dataset());
    System.out.printf("batch: %,d tokens per step (%d sequences of %d, micro-batch %d); %d steps = %,d tokens; run folder %s%n",
        tokensPerStep, c.globalBatchSequences(), c.seqLen(), c.train().microBatchSize(), c.train().steps(),
        (long) tokensPerStep * c.train().steps(), dir);
  }
}
