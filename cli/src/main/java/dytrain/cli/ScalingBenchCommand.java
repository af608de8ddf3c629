package dytrain.cli;

import dytrain.bench.SyntheticDataset;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.data.DatasetFileSystem;
import dytrain.model.ModelSize;
import dytrain.spark.DistributedTraining;
import dytrain.spark.TrainingSession;
import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.StepMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Training throughput with 1 and 2 ranks (one libtorch thread each, separate executor JVMs) at the same
 * global batch, with the step's time split (data, compute, all-reduce, optimizer), then the 2-rank speedup
 * and the all-reduce time for this model's fp32 parameters between the two JVMs on loopback.
 */
@Command(name = "scaling", description = "Tokens/s with 1 and 2 ranks as executor JVMs; the speedup and the all-reduce time.")
final class ScalingBenchCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;
  @Option(names = "--steps", defaultValue = "30") int steps;

  @Override
  public Integer call() throws Exception {
    Flags.atLeast("--steps", steps, 3); // the medians leave out the first two steps
    DytrainConfig base = options.load();
    Path work = Files.createTempDirectory("dytrain-scaling");
    try {
      return measure(base, work);
    } finally {
      FileUtil.fullyDelete(work.toFile());
    }
  }

  private int measure(DytrainConfig base, Path work) throws Exception {
    SyntheticDataset.write(work.resolve("data").toString(), base.model().vocabSize(), 2_000_000, 1);
    double[][] results = new double[3][];
    for (int ranks : new int[] {1, 2}) {
      List<String> sets = new ArrayList<>(options.overrides);
      sets.addAll(List.of("data.dataset=" + work.resolve("data"), "distributed.ranks=" + ranks,
          "train.steps=" + steps, "train.checkpoint_every=" + steps, "train.eval_every=" + steps,
          "distributed.checksum_every=0", "train.warmup_steps=1"));
      DytrainConfig c = ConfigLoader.load(options.config, sets);
      var spark = TrainingSession.start(null, ranks, c.distributed().executorMemoryMb());
      String run = work.resolve("run-" + ranks).toString();
      try {
        DistributedTraining.run(spark, c, run, m -> {}, new PrintStream(OutputStream.nullOutputStream()));
      } finally {
        spark.stop();
      }
      results[ranks] = summarize(run);
      System.out.printf("%d rank(s): %,.0f tokens/s; per step %.0f ms = data %.1f + compute %.0f + all-reduce %.0f + optimizer %.0f ms%n",
          ranks, results[ranks][0], results[ranks][1], results[ranks][2], results[ranks][3], results[ranks][4], results[ranks][5]);
    }
    double speedup = results[2][0] / results[1][0];
    System.out.printf("2 ranks / 1 rank: %.2fx (the limit is 2.0x)%n", speedup);
    long params = ModelSize.of(base.model()).total();
    System.out.printf("all-reduce here: %.0f ms for %,d fp32 parameters (%.1f MB) between 2 JVMs on loopback%n",
        results[2][4], params, 4.0 * params / 1e6);
    return 0;
  }

  /** Medians over the steps after the first two: tokens/s, step ms, and the split (data, compute, all-reduce, optimizer). */
  static double[] summarize(String runDir) throws IOException {
    var file = new org.apache.hadoop.fs.Path(runDir, MetricsLog.TRAIN_FILE);
    List<StepMetrics> steps = MetricsCsv.readSteps(DatasetFileSystem.of(file, new Configuration()), file);
    int n = steps.size() - 2;
    double[][] cols = new double[6][n];
    for (int i = 0; i < n; i++) {
      StepMetrics m = steps.get(i + 2);
      cols[0][i] = m.tokensPerSecond();
      cols[2][i] = m.dataSeconds() * 1e3;
      cols[3][i] = m.computeSeconds() * 1e3;
      cols[4][i] = m.communicationSeconds() * 1e3;
      cols[5][i] = m.optimizerSeconds() * 1e3;
      cols[1][i] = cols[2][i] + cols[3][i] + cols[4][i] + cols[5][i];
    }
    double[] out = new double[6];
    for (int c = 0; c < 6; c++) {
      Arrays.sort(cols[c]);
      out[c] = cols[c][n / 2];
    }
    return out;
  }
}
