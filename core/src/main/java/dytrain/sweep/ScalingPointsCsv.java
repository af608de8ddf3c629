package dytrain.sweep;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the runs of a scaling-law fit from a CSV whose header has the columns {@code params}, {@code tokens}
 * and {@code loss}, in any order and among any others, so a sweep's results.csv fits directly: when there is
 * a {@code status} column, only its {@code done} rows are runs (a failed trial has no loss). Every error
 * names the file, the line and the column.
 */
public final class ScalingPointsCsv {
  public static final String PARAMS = "params";
  public static final String TOKENS = "tokens";
  public static final String LOSS = "loss";

  private ScalingPointsCsv() {}

  public static List<ScalingPoint> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new DytrainException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (lines.isEmpty()) {
      throw new DytrainException(file + " is empty; expected a header with columns params,tokens,loss");
    }
    List<String> header = CsvCells.split(lines.get(0), file + " line 1").stream().map(String::trim).toList();
    int[] at = new int[3];
    String[] names = {PARAMS, TOKENS, LOSS};
    for (int k = 0; k < 3; k++) {
      at[k] = header.indexOf(names[k]);
      if (at[k] < 0) {
        throw new DytrainException(file + " line 1: the header has no column '" + names[k] + "'; it needs params,tokens,loss"
            + " and has " + String.join(",", header));
      }
    }
    int status = header.indexOf("status");
    List<ScalingPoint> points = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      List<String> cells = CsvCells.split(lines.get(i), file + " line " + (i + 1));
      if (cells.size() != header.size()) {
        throw new DytrainException(file + " line " + (i + 1) + ": " + cells.size() + " cells, the header has " + header.size());
      }
      if (status >= 0 && !cells.get(status).trim().equals(ResultRow.Status.DONE.key())) continue;
      double[] v = new double[3];
      for (int k = 0; k < 3; k++) {
        String cell = cells.get(at[k]).trim();
        try {
          v[k] = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
          throw new DytrainException(file + " line " + (i + 1) + ", column " + names[k] + ": '" + cell + "' is not a number");
        }
        if (!(v[k] > 0) || Double.isInfinite(v[k])) {
          throw new DytrainException(file + " line " + (i + 1) + ", column " + names[k] + ": " + cell + " must be positive and finite");
        }
      }
      points.add(new ScalingPoint(v[0], v[1], v[2]));
    }
    return points;
  }

  /** Fits the runs of a CSV file: the entry a {@code fit} command calls. */
  public static ParametricEstimate fit(Path file, ParametricFit.Options options) {
    return ParametricFit.fit(read(file), options);
  }
}
