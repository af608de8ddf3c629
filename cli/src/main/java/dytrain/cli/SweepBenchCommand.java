package dytrain.cli;

import dytrain.spark.SweepRunner;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sweep throughput: the same first trials of a sweep trained one after another (1 slot) and packed onto
 * N slots, in one run, each into a fresh folder. The limit of the ratio is N, less what the trials share
 * (memory bandwidth, the driver, Spark's scheduling).
 */
@Command(name = "sweep", description = "Trials per hour of a sweep with N slots against 1 slot, measured in one run.")
final class SweepBenchCommand implements Callable<Integer> {

  @Option(names = "--config", required = true, paramLabel = "SWEEP.yaml", description = "the sweep file")
  Path config;

  @Option(names = "--slots", defaultValue = "2", description = "slots of the packed run (default ${DEFAULT-VALUE})")
  int slots;

  @Option(names = "--trials", defaultValue = "4", description = "the sweep's first trials to train each way (default ${DEFAULT-VALUE})")
  int trials;

  @Option(names = "--out", paramLabel = "DIR", description = "keep the two sweep folders here; default a temporary folder, deleted")
  Path out;

  @Override
  public Integer call() throws Exception {
    SweepCommand.requireFile("--config", config);
    Flags.atLeast("--slots", slots, 2);
    Flags.positive("--trials", trials);
    Path work = out != null ? out : Files.createTempDirectory("dytrain-sweep-bench");
    try {
      double[] perHour = new double[2];
      int[] counts = {1, slots};
      for (int k = 0; k < 2; k++) {
        Path dir = work.resolve(counts[k] + "-slot");
        FileUtil.fullyDelete(dir.toFile()); // a rerun would train nothing
        var summary = SweepRunner.run(new SweepRunner.Request(config, dir.toString(), "local[" + counts[k] + "]",
            counts[k], trials), SweepRunner.Progress.SILENT, new PrintStream(OutputStream.nullOutputStream()));
        int trained = (int) summary.rows().stream().map(r -> r.trial()).distinct().count();
        perHour[k] = trained * 3600 / summary.seconds();
        System.out.printf("%d slot(s): %d trials (%d units, %,d steps) in %.0f s = %.1f trials/hour%n", counts[k], trained,
            summary.unitsTrained(), summary.stepsTrained(), summary.seconds(), perHour[k]);
      }
      System.out.printf("%d slots / 1 slot: %.2fx (the limit is %d.0x: one libtorch thread per trial, %d cores here)%n",
          slots, perHour[1] / perHour[0], slots, Runtime.getRuntime().availableProcessors());
      return 0;
    } finally {
      if (out == null) FileUtil.fullyDelete(work.toFile());
    }
  }
}
