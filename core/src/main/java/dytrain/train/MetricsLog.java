package dytrain.train;

import dytrain.data.DatasetFileSystem;
import dytrain.io.AtomicWrite;
import dytrain.io.StorageFull;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * metrics.csv (one row per step) and eval.csv (validation loss) in the run folder, on any Hadoop file
 * system, each with a Parquet copy (metrics.parquet, eval.parquet) written when the run ends or fails: a
 * copy holds every row, and rebuilding it at every checkpoint cost a long run a read of all its rows each time.
 *
 * <p>The first write of a process puts metrics.csv in place whole, under a temporary name renamed over any
 * earlier attempt's file: its rows so far, which for a resumed run are the rows before its checkpoint, so
 * its curve is the uninterrupted run's. Where the file system shows a stream's flushed bytes to readers
 * (local disk, HDFS) that stream stays open and each later write adds only the new rows, none kept in
 * memory: rewriting the whole file every two seconds had the ranks' heaps growing for as long as they
 * trained (RELIABILITY.md, the soak). Object stores show a file only once it is closed: there the rows stay
 * in memory and the file is rewritten whole. A crash mid-write leaves at most an unfinished last line,
 * which readers skip. eval.csv holds a row per evaluation and is rewritten whole when one is added.
 */
public final class MetricsLog implements Closeable {

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
  /** The rows metrics.csv does not hold yet; on an object store, every row. */
  private final List<String> trainRows = new ArrayList<>();
  private int unwritten;
  private boolean started;
  /** metrics.csv, open for appending rows; null before the first write, and on object stores. */
  private FSDataOutputStream steps;
  private final List<Eval> evals = new ArrayList<>();
  private boolean evalsChanged;

  public MetricsLog(String runDir, Configuration conf) throws IOException {
    this(runDir, conf, "");
  }

  /** A log whose files are named {@code prefix + metrics.csv}: ranks other than 0 log under ranks/. */
  public MetricsLog(String runDir, Configuration conf, String prefix) throws IOException {
    this.dir = new Path(runDir);
    this.fs = DatasetFileSystem.of(dir, conf);
    this.prefix = prefix;
  }

  /** Writes the new rows at most every two seconds, so a driver following the files sees progress. */
  public void maybeFlush() throws IOException {
    if (System.nanoTime() - lastFlush > 2_000_000_000L) {
      flush();
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
    evalsChanged = true;
  }

  public void add(StepMetrics m) {
    trainRows.add(MetricsCsv.format(m));
    unwritten++;
  }

  public void addEval(long step, double loss) {
    evals.removeIf(e -> e.step() == step);
    evals.add(new Eval(step, loss));
    evalsChanged = true;
  }

  /** Writes the rows not yet in the CSV files. */
  public void flush() throws IOException {
    lastFlush = System.nanoTime();
    writing(this::writeSteps);
    if (evalsChanged) {
      writing(() -> AtomicWrite.file(fs, file(EVAL_FILE), MetricsCsv.table(MetricsCsv.EVAL_HEADER, evalRows())));
      evalsChanged = false;
    }
  }

  /** Writes the CSV files and their Parquet copies, which hold every row: when the run ends or fails. */
  public void flushWithParquetCopies() throws IOException {
    flush();
    List<String> rows = new ArrayList<>();
    for (StepMetrics m : MetricsCsv.readSteps(fs, file(TRAIN_FILE))) {
      rows.add(MetricsCsv.format(m));
    }
    writing(() -> {
      MetricsParquet.write(fs, file(TRAIN_PARQUET), MetricsCsv.STEP_HEADER, rows);
      MetricsParquet.write(fs, file(EVAL_PARQUET), MetricsCsv.EVAL_HEADER, evalRows());
    });
  }

  /** Closes metrics.csv; rows added since the last flush are not written, and a later flush fails. */
  @Override
  public void close() throws IOException {
    if (steps != null) {
      steps.close();
    }
  }

  private void writeSteps() throws IOException {
    if (started && unwritten == 0) {
      return;
    }
    StringBuilder text = new StringBuilder();
    if (steps == null) {
      text.append(MetricsCsv.STEP_HEADER).append('\n');
    }
    trainRows.forEach(r -> text.append(r).append('\n'));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (steps != null) {
      steps.write(bytes);
      steps.hflush();
    } else {
      Path tmp = AtomicWrite.temporary(file(TRAIN_FILE));
      fs.delete(tmp, false); // one a crash left open: HDFS would refuse to create it again until its lease expired
      FSDataOutputStream out = fs.create(tmp, true);
      out.write(bytes);
      if (started || !out.hasCapability(StreamCapabilities.HFLUSH)) {
        out.close(); // an object store: the file is rewritten whole at every write
      } else {
        out.hflush();
        steps = out; // renamed while open: the rows written next land in metrics.csv
      }
      AtomicWrite.moveIntoPlace(fs, tmp, file(TRAIN_FILE));
    }
    started = true;
    unwritten = 0;
    if (steps != null) {
      trainRows.clear();
    }
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
