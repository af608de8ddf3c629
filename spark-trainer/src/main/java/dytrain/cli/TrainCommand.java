package dytrain.cli;

import dytrain.config.DytrainConfig;
import dytrain.model.ModelSize;
import dytrain.train.TrainState;
import dytrain.train.TrainingRun;
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

  @Override
  public Integer call() throws Exception {
    DytrainConfig config = options.load();
    String dir = runDir != null ? runDir : defaultRunDir(options.config);
    describe(config, dir);
    TrainState end;
    try (ConsoleProgress progress = new ConsoleProgress("train", config.train().steps(), System.out)) {
      end = TrainingRun.run(config, dir, resume, TrainingRun.Rank.SINGLE, progress, System.out);
    }
    var png = LossPlot.write(dir, "dytrain " + options.config.getFileName() + " (" + config.model().normType().key() + ")");
    System.out.printf("done: %d steps, %,d tokens, %d skipped updates; metrics, checkpoints and %s in %s%n",
        end.step(), end.tokensSeen(), end.skippedUpdates(), png.getName(), dir);
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
