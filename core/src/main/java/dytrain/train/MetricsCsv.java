package dytrain.train;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The layout of metrics.csv (one row per step) and eval.csv (validation loss): their headers, the number
 * format of each column, and reading rows back by column name from the file's own header. Every reader of
 * these files goes through here, so a column added or moved changes one class.
 */
public final class MetricsCsv {
  private MetricsCsv() {}

  public static final String STEP_HEADER =
      "step,loss,grad_norm,lr,tokens,tokens_per_s,mfu,data_ms,compute_ms,allreduce_ms,optimizer_ms,skipped,outlier";
  public static final String EVAL_HEADER = "step,val_loss,val_ppl";

  /** A metrics.csv row; times are written in milliseconds. */
  public static String format(StepMetrics m) {
    return String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6e,%d,%.1f,%.4f,%.2f,%.2f,%.2f,%.2f,%d,%d",
        m.step(), m.loss(), m.gradNorm(), m.lr(), m.tokens(), m.tokensPerSecond(), m.mfu(), m.dataSeconds() * 1e3,
        m.computeSeconds() * 1e3, m.communicationSeconds() * 1e3, m.optimizerSeconds() * 1e3, m.skipped() ? 1 : 0,
        m.outlier() ? 1 : 0);
  }

  /** An eval.csv row; the perplexity column is exp(loss), for people reading the file. */
  public static String format(MetricsLog.Eval e) {
    return String.format(Locale.ROOT, "%d,%.6f,%.4f", e.step(), e.loss(), Math.exp(e.loss()));
  }

  /** A header line, then one line per row. */
  public static String table(String header, List<String> rows) {
    StringBuilder text = new StringBuilder(header).append('\n');
    rows.forEach(r -> text.append(r).append('\n'));
    return text.toString();
  }

  /** The steps of a metrics.csv; none while it does not exist. */
  public static List<StepMetrics> readSteps(FileSystem fs, Path file) throws IOException {
    List<StepMetrics> out = new ArrayList<>();
    for (Row r : rows(fs, file)) {
      out.add(step(r));
    }
    return out;
  }

  private static StepMetrics step(Row r) {
    return new StepMetrics(r.longValue("step"), r.doubleValue("loss"), r.doubleValue("grad_norm"),
        r.doubleValue("lr"), r.longValue("tokens"), r.doubleValue("tokens_per_s"), r.doubleValue("mfu"),
        r.doubleValue("data_ms") / 1e3, r.doubleValue("compute_ms") / 1e3, r.doubleValue("allreduce_ms") / 1e3,
        r.doubleValue("optimizer_ms") / 1e3, r.longValue("skipped") == 1,
        r.has("outlier") && r.longValue("outlier") == 1); // metrics.csv before the outlier guard: none
  }

  /**
   * Follows a metrics.csv as a run appends to it (on an object store: rewrites it whole, earlier rows first)
   * every few seconds: each read parses only the bytes past the last row it returned, so following a long run
   * costs its new rows, not the whole file (re-reading 4.5 MB a second had the driver's heap at 4 GB after 30
   * minutes). A file whose last returned row is no longer where it was (a rank started it over) is read from
   * its beginning.
   */
  public static final class StepFollower {
    private final FileSystem fs;
    private final Path file;
    private String header;
    private Map<String, Integer> columns;
    /** Where the bytes not yet returned start; {@link #lastRow} ends there. */
    private long offset;
    private byte[] lastRow = new byte[0];
    private int lineNumber;

    public StepFollower(FileSystem fs, Path file) {
      this.fs = fs;
      this.file = file;
    }

    /** The rows written since the last call; none while the file does not exist. */
    public List<StepMetrics> read() throws IOException {
      if (!fs.exists(file)) {
        restart();
        return List.of();
      }
      byte[] tail;
      try (FSDataInputStream in = fs.open(file)) {
        in.seek(offset - lastRow.length); // the last row again: it proves the file still starts as it did
        tail = in.readAllBytes();
      } catch (EOFException shorter) { // not its length from the file status: HDFS's leaves out a block being written
        tail = new byte[0];
      }
      if (!Arrays.equals(tail, 0, Math.min(tail.length, lastRow.length), lastRow, 0, lastRow.length)) {
        restart();
        return read();
      }
      List<StepMetrics> out = new ArrayList<>();
      int start = lastRow.length;
      for (int end = start; end < tail.length; end++) {
        if (tail[end] != '\n') {
          continue; // a row not yet ended is the next read's
        }
        String line = new String(tail, start, end - start, StandardCharsets.UTF_8);
        lineNumber++;
        if (header == null) {
          header = line;
          columns = columnsOf(line);
        } else {
          String[] fields = line.split(",");
          if (!line.isBlank() && fields.length >= columns.size()) {
            out.add(step(new Row(file, lineNumber, header, columns, fields)));
          }
        }
        lastRow = Arrays.copyOfRange(tail, start, end + 1);
        offset += end + 1 - start;
        start = end + 1;
      }
      return out;
    }

    private void restart() {
      header = null;
      offset = 0;
      lastRow = new byte[0];
      lineNumber = 0;
    }
  }

  private static Map<String, Integer> columnsOf(String headerLine) {
    Map<String, Integer> columns = new HashMap<>();
    String[] header = headerLine.split(",");
    for (int c = 0; c < header.length; c++) {
      columns.put(header[c].strip(), c);
    }
    return columns;
  }

  /** The evaluations of an eval.csv; none while it does not exist. */
  public static List<MetricsLog.Eval> readEvals(FileSystem fs, Path file) throws IOException {
    List<MetricsLog.Eval> out = new ArrayList<>();
    for (Row r : rows(fs, file)) {
      out.add(new MetricsLog.Eval(r.longValue("step"), r.doubleValue("val_loss")));
    }
    return out;
  }

  /**
   * The data rows of one of these files, fields found by the names in its header. A last line not yet ended,
   * or a row with fewer fields than the header, is left out: it can only be one being appended (or cut short
   * by a crash), and the next read sees it whole.
   */
  private static List<Row> rows(FileSystem fs, Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    if (!fs.exists(file)) {
      return rows;
    }
    String text = DatasetFileSystem.readString(fs, file);
    String[] lines = text.substring(0, text.lastIndexOf('\n') + 1).split("\n");
    Map<String, Integer> columns = columnsOf(lines[0]);
    for (int i = 1; i < lines.length; i++) {
      String[] fields = lines[i].split(",");
      if (!lines[i].isBlank() && fields.length >= columns.size()) {
        rows.add(new Row(file, i + 1, lines[0], columns, fields));
      }
    }
    return rows;
  }

  private record Row(Path file, int line, String header, Map<String, Integer> columns, String[] fields) {
    boolean has(String column) {
      return columns.containsKey(column);
    }

    String field(String column) {
      Integer c = columns.get(column);
      if (c == null) {
        throw new DytrainException(file + ": no column '" + column + "' in its header '" + header + "'");
      }
      return fields[c];
    }

    long longValue(String column) {
      try {
        return Long.parseLong(field(column));
      } catch (NumberFormatException e) {
        throw new DytrainException(file + " line " + line + ": " + column + " = '" + field(column) + "' is not an integer");
      }
    }

    double doubleValue(String column) {
      try {
        return Double.parseDouble(field(column));
      } catch (NumberFormatException e) {
        throw new DytrainException(file + " line " + line + ": " + column + " = '" + field(column) + "' is not a number");
      }
    }
  }
}
