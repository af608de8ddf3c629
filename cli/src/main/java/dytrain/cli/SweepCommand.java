package dytrain.cli;

import dytrain.config.Alpha0Table;
import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.spark.SweepRunner;
import dytrain.sweep.ParametricFit;
import dytrain.sweep.ResultRow;
import dytrain.sweep.ResultsTable;
import dytrain.sweep.ScalingPointsCsv;
import dytrain.sweep.SweepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dytrain sweep run|report|fit}: scaling-law sweeps (docs/ARCHITECTURE.md, "sweeps"). */
@Command(name = "sweep", description = "Scaling-law sweeps: train many small trials, report and fit the results.",
    subcommands = {SweepCommand.Run.class, SweepCommand.Report.class, SweepCommand.Fit.class})
final class SweepCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "run", description = "Train a sweep's trials, as many at once as there are slots; a rerun resumes.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "SWEEP.yaml", description = "the sweep file (configs/sweeps/)")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "the sweep folder; default runs/sweeps/<sweep name>")
    String out;

    @Option(names = "--master", description = "Spark master; default local[SLOTS] (trials as threads of this JVM)")
    String master;

    @Option(names = "--slots", description = "trials trained at once; default the master's cores")
    Integer slots;

    @Override
    public Integer call() throws Exception {
      requireFile("--config", config);
      if (slots != null) Flags.positive("--slots", slots);
      String dir = out != null ? out : defaultDir(config);
      var summary = SweepRunner.run(new SweepRunner.Request(config, dir, master, slots), new Lines(), System.out);
      long done = summary.rows().stream().filter(r -> r.status() == ResultRow.Status.DONE).count();
      System.out.printf("%d of %d rows done, %d trial(s) failed; %d unit(s), %,d steps trained in %.0f s%n", done,
          summary.rows().size(), summary.failedTrials(), summary.unitsTrained(), summary.stepsTrained(), summary.seconds());
      System.out.printf("results: %s/%s and %s; report: ./dytrain sweep report %s%n", dir, ResultsTable.CSV_FILE,
          ResultsTable.PARQUET_FILE, dir);
      return summary.failedTrials() > 0 ? 1 : 0;
    }

    static String defaultDir(Path sweepFile) {
      return Path.of("runs", "sweeps", sweepFile.getFileName().toString().replaceFirst("\\.ya?ml$", "")).toString();
    }
  }

  /** One plain line per event: readable in a terminal and in a log file alike. */
  static final class Lines implements SweepRunner.Progress {
    private final long start = System.nanoTime();

    @Override
    public synchronized void update(SweepRunner.Counts c, String event) {
      System.out.printf("[%s] trials: %d done, %d running, %d failed, %d left; ETA %s | %s%n",
          duration((System.nanoTime() - start) / 1e9), c.done(), c.running(), c.failed(), c.left(),
          Double.isNaN(c.etaSeconds()) ? "?" : duration(c.etaSeconds()), event);
    }

    static String duration(double seconds) {
      long s = Math.round(seconds);
      return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
  }

  @Command(name = "report", description = "Write REPORT.md and PNG plots into a sweep folder from its results table.")
  static final class Report implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "the sweep folder (holds results.csv)")
    Path dir;

    @Option(names = "--alpha0-table", paramLabel = "OUT.yaml", description = "also write the best alpha0 per width (model.alpha0_table)")
    Path alpha0Table;

    @Option(names = "--bootstrap", defaultValue = "200", description = "bootstrap resamples for the fit's intervals (default ${DEFAULT-VALUE})")
    int bootstrap;

    @Option(names = "--profiles", defaultValue = "4", description = "IsoFLOP compute levels (default ${DEFAULT-VALUE})")
    int profiles;

    @Override
    public Integer call() throws Exception {
      Path csv = dir.resolve(ResultsTable.CSV_FILE);
      requireFile("DIR", csv);
      Flags.atLeast("--bootstrap", bootstrap, 0);
      Flags.positive("--profiles", profiles);
      var fs = DatasetFileSystem.of(new org.apache.hadoop.fs.Path(csv.toUri()), new Configuration());
      List<ResultRow> rows = ResultsTable.readCsv(fs, new org.apache.hadoop.fs.Path(csv.toUri()));
      var options = ParametricFit.Options.defaults().withBootstrap(bootstrap).withGrid(Fit.COARSE);
      SweepReport.Result result = SweepReport.of(rows, options, profiles);
      List<Path> pngs = new ArrayList<>(List.of(SweepPlots.lossVersusCompute(result, dir),
          SweepPlots.isoFlopProfiles(result, dir), SweepPlots.isoFlopOptima(result, dir), SweepPlots.parametricFit(result, dir)));
      for (var grid : result.alpha0()) pngs.add(SweepPlots.alpha0Heatmap(grid, dir));
      Path md = dir.resolve("REPORT.md");
      Files.writeString(md, SweepMarkdown.of(dir, rows, result, pngs));
      System.out.printf("wrote %s and %d plot(s)%n", md, pngs.size());
      if (alpha0Table != null) {
        Alpha0Table table = result.alpha0Table();
        if (table == null) {
          throw new DytrainException("--alpha0-table: " + csv + " has no alpha0 sweep (trials varying model.alpha0_attention"
              + " and model.alpha0_other at a width)");
        }
        table.write(alpha0Table);
        System.out.printf("wrote %s: name it in a config as model.alpha0_table%n", alpha0Table);
      }
      return 0;
    }
  }

  @Command(name = "fit", description = "Fit L(N, D) = E + A/N^alpha + B/D^beta to a CSV of params,tokens,loss; print JSON.")
  static final class Fit implements Callable<Integer> {
    /** Three values per scale coordinate, two per exponent: 108 starts instead of Hoffmann's 4,500. */
    static final ParametricFit.StartGrid COARSE = new ParametricFit.StartGrid(List.of(0.0, 10.0, 20.0),
        List.of(0.0, 10.0, 20.0), List.of(-1.0, 0.0, 1.0), List.of(0.5, 1.5), List.of(0.5, 1.5));

    @Option(names = "--points", required = true, paramLabel = "FILE.csv", description = "columns params,tokens,loss (a sweep's results.csv fits)")
    Path points;

    @Option(names = "--huber-delta", defaultValue = "1e-3", description = "Huber loss delta on log loss (default ${DEFAULT-VALUE})")
    double huberDelta;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "bootstrap resamples for the intervals; 0: none (default ${DEFAULT-VALUE})")
    int bootstrap;

    @Option(names = "--confidence", defaultValue = "0.95", description = "the intervals' coverage (default ${DEFAULT-VALUE})")
    double confidence;

    @Option(names = "--seed", defaultValue = "0", description = "bootstrap seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--start-grid", defaultValue = "hoffmann", description = "hoffmann (4,500 starts, Hoffmann et al. app. D.2) or coarse (108)")
    String grid;

    @Override
    public Integer call() {
      requireFile("--points", points);
      ParametricFit.StartGrid starts = switch (grid) {
        case "hoffmann" -> ParametricFit.StartGrid.HOFFMANN;
        case "coarse" -> COARSE;
        default -> throw new DytrainException("--start-grid " + grid + ": unknown; allowed: hoffmann, coarse");
      };
      ParametricFit.Options options;
      try {
        options = new ParametricFit.Options(huberDelta, bootstrap, confidence, seed, starts);
      } catch (DytrainException e) {
        throw new DytrainException("--huber-delta / --bootstrap / --confidence: " + e.getMessage(), e);
      }
      System.out.println(ScalingPointsCsv.fit(points, options).toJson());
      return 0;
    }
  }

  static void requireFile(String flag, Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DytrainException(flag + " " + file + ": no such file");
    }
  }
}
