package dytrain.train;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
      out.add(new StepMetrics(r.longValue("step"), r.doubleValue("loss"), r.doubleValue("grad_norm"),
          r.doubleValue("lr"), r.longValue("tokens"), r.doubleValue("tokens_per_s"), r.doubleValue("mfu"),
          r.doubleValue("data_ms") / 1e3, r.doubleValue("compute_ms") / 1e3, r.doubleValue("allreduce_ms") / 1e3,
          r.doubleValue("optimizer_ms") / 1e3, r.longValue("skipped") == 1,
          r.has("outlier") && r.longValue("outlier") == 1)); // metrics.csv before the outlier guard: none
    }
    return out;
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
   * The data rows of one of these files, fields found by the names in its header. A row with fewer fields
   * than the header is left out: it can only be one being written, and the next read sees it whole.
   */
  private static List<Row> rows(FileSystem fs, Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    if (!fs.exists(file)) {
      return rows;
    }
    String[] lines = DatasetFileSystem.readString(fs, file).split("\n");
    Map<String, Integer> columns = new HashMap<>();
    String[] header = lines[0].split(",");
    for (int c = 0; c < header.length; c++) {
      columns.put(header[c].strip(), c);
    }
    for (int i = 1; i < lines.length; i++) {
      String[] fields = lines[i].split(",");
      if (!lines[i].isBlank() && fields.length >= header.length) {
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
