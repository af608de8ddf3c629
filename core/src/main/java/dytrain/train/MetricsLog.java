package dytrain.train;

import dytrain.data.DatasetFileSystem;
import dytrain.io.AtomicWrite;
import dytrain.io.StorageFull;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * metrics.csv (one row per step) and eval.csv (validation loss) in the run folder, on any Hadoop file
 * system, each with a Parquet copy (metrics.parquet, eval.parquet) written at checkpoints and at the end.
 * Rows are kept in memory and the files rewritten atomically (object stores cannot append); a
 * resumed run first drops the rows past its checkpoint, so its curve is the uninterrupted run's.
 */
public final class MetricsLog {

  public static final String TRAIN_FILE = "metrics.csv";
  public static final String EVAL_FILE = "eval.csv";
  public static final String TRAIN_PARQUET = "metrics.parquet";
  public static final String EVAL_PARQUET = "eval.parquet";

  /** A validation measurement. */
  public record Eval(long step, double loss) {}

  private final FileSystem fs;
  private final Path dir;
  private final String prefix;
  private long lastFlush = System.nanoTime();
  private final List<String> trainRows = new ArrayList<>();
  private final List<Eval> evals = new ArrayList<>();

  public MetricsLog(String runDir, Configuration conf) throws IOException {
    this(runDir, conf, "");
  }

  /** A log whose files are named {@code prefix + metrics.csv}: ranks other than 0 log under ranks/. */
  public MetricsLog(String runDir, Configuration conf, String prefix) throws IOException {
    this.dir = new Path(runDir);
    this.fs = DatasetFileSystem.of(dir, conf);
    this.prefix = prefix;
  }

  /** Rewrites the CSV files at most every two seconds, so a driver polling them sees progress. */
  public void maybeFlush() throws IOException {
    if (System.nanoTime() - lastFlush > 2_000_000_000L) {
      writeCsv();
    }
  }

  /** Reloads rows written by an earlier attempt, keeping those before {@code resumeStep}. */
  public void resumeAt(long resumeStep) throws IOException {
    for (StepMetrics m : MetricsCsv.readSteps(fs, file(TRAIN_FILE))) {
      if (m.step() < resumeStep) {
        add(m);
      }
    }
    for (Eval e : MetricsCsv.readEvals(fs, file(EVAL_FILE))) {
      if (e.step() <= resumeStep) {
        evals.add(e);
      }
    }
  }

  public void add(StepMetrics m) {
    trainRows.add(MetricsCsv.format(m));
  }

  public void addEval(long step, double loss) {
    evals.removeIf(e -> e.step() == step);
    evals.add(new Eval(step, loss));
  }

  /** Writes the CSV files and their Parquet copies. */
  public void flush() throws IOException {
    writeCsv();
    writing(() -> {
      MetricsParquet.write(fs, new Path(dir, prefix + TRAIN_PARQUET), MetricsCsv.STEP_HEADER, trainRows);
      MetricsParquet.write(fs, new Path(dir, prefix + EVAL_PARQUET), MetricsCsv.EVAL_HEADER, evalRows());
    });
  }

  private void writeCsv() throws IOException {
    lastFlush = System.nanoTime();
    writing(() -> {
      AtomicWrite.file(fs, new Path(dir, prefix + TRAIN_FILE), MetricsCsv.table(MetricsCsv.STEP_HEADER, trainRows));
      AtomicWrite.file(fs, new Path(dir, prefix + EVAL_FILE), MetricsCsv.table(MetricsCsv.EVAL_HEADER, evalRows()));
    });
  }

  /** Runs a write of the metrics files; a lack of room is the user's to fix, said with the folder it hit. */
  private void writing(StorageFull.Write write) throws IOException {
    StorageFull.guard(write, reason -> "cannot write the metrics in " + dir + ": " + reason
        + ". Make room (or raise the quota) and rerun the same command to resume from the newest checkpoint");
  }

  private List<String> evalRows() {
    List<String> rows = new ArrayList<>();
    for (Eval e : evals) {
      rows.add(MetricsCsv.format(e));
    }
    return rows;
  }

  private Path file(String name) {
    return new Path(dir, prefix + name);
  }
}
