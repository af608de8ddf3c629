package dytrain.train;

import dytrain.data.DatasetFileSystem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  public static final String EVAL_HEADER = "step,val_loss,val_ppl";

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
    for (String row : read(TRAIN_FILE)) {
      if (Long.parseLong(row.substring(0, row.indexOf(','))) < resumeStep) {
        trainRows.add(row);
      }
    }
    for (String row : read(EVAL_FILE)) {
      String[] f = row.split(",");
      if (Long.parseLong(f[0]) <= resumeStep) {
        evals.add(new Eval(Long.parseLong(f[0]), Double.parseDouble(f[1])));
      }
    }
  }

  public void add(StepMetrics m) {
    trainRows.add(m.csv());
  }

  public void addEval(long step, double loss) {
    evals.removeIf(e -> e.step() == step);
    evals.add(new Eval(step, loss));
  }

  /** Writes the CSV files and their Parquet copies. */
  public void flush() throws IOException {
    writeCsv();
    MetricsParquet.write(fs, new Path(dir, prefix + TRAIN_PARQUET), StepMetrics.CSV_HEADER, trainRows);
    MetricsParquet.write(fs, new Path(dir, prefix + EVAL_PARQUET), EVAL_HEADER, evalRows());
  }

  private void writeCsv() throws IOException {
    lastFlush = System.nanoTime();
    DatasetFileSystem.writeAtomically(fs, new Path(dir, prefix + TRAIN_FILE), table(StepMetrics.CSV_HEADER, trainRows));
    DatasetFileSystem.writeAtomically(fs, new Path(dir, prefix + EVAL_FILE), table(EVAL_HEADER, evalRows()));
  }

  private List<String> evalRows() {
    List<String> rows = new ArrayList<>();
    for (Eval e : evals) {
      rows.add(String.format(Locale.ROOT, "%d,%.6f,%.4f", e.step(), e.loss(), Math.exp(e.loss())));
    }
    return rows;
  }

  private static String table(String header, List<String> rows) {
    StringBuilder text = new StringBuilder(header).append('\n');
    rows.forEach(r -> text.append(r).append('\n'));
    return text.toString();
  }

  private List<String> read(String name) throws IOException {
    return rows(fs, new Path(dir, prefix + name));
  }

  /** The data rows of one of these CSV files (header left out); none while it does not exist. */
  public static List<String> rows(FileSystem fs, Path file) throws IOException {
    List<String> rows = new ArrayList<>();
    if (!fs.exists(file)) {
      return rows;
    }
    String[] lines = DatasetFileSystem.readString(fs, file).split("\n");
    for (int i = 1; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        rows.add(lines[i]);
      }
    }
    return rows;
  }
}
