package dytrain.cli;

import dytrain.config.DytrainConfig;
import dytrain.model.ModelSize;
import dytrain.spark.TrainJob;
import dytrain.train.RunStart;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", description = "Train on a dataset made by dytrain prep; rerunning into the same run folder resumes.")
final class TrainCommand implements Callable<Integer> {

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
    var request = new TrainJob.Request(config, dir, resume ? RunStart.Resume.REQUIRED : RunStart.Resume.IF_PRESENT, master);
    TrainJob.Finished finished;
    try (ConsoleProgress progress = new ConsoleProgress("train", config.train().steps(), System.out)) {
      finished = TrainJob.run(request, progress, System.out);
    }
    System.out.println(finished.summary());
    var png = LossPlot.write(dir, "dytrain " + options.config.getFileName() + " (" + config.model().normType().key() + ")");
    System.out.printf("metrics, checkpoints and %s in %s%n", png.getName(), dir);
    return 0;
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
