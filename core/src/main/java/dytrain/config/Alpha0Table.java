package dytrain.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * alpha0 of DyT/Derf norms by model width: exact at the table's widths, linear in log2(width) between them,
 * clamped outside. The default is {@link #DEFAULT}: the DyT paper's tables of optimal alpha0 for LLaMA
 * ({@link #DYT_PAPER}) from width 1024, measured values below it. A user's own (a sweep's result) is a
 * YAML file named by {@code model.alpha0_table}, of which this class is the one reader and writer:
 *
 * <pre>
 * 256: {attention: 1.0, other: 4.0}
 * 512: {attention: 1.0, other: 2.0}
 * </pre>
 */
public record Alpha0Table(List<Row> rows) {

  /** One width's values: attention for the norm before attention, other for the MLP and final norms. */
  public record Row(int width, double attention, double other) {}

  /** DyT paper, LLaMA tables. */
  public static final Alpha0Table DYT_PAPER = new Alpha0Table(List.of(
      new Row(1024, 1.0, 1.0), new Row(2048, 1.0, 0.5), new Row(4096, 0.8, 0.2),
      new Row(5120, 0.6, 0.15), new Row(8192, 0.2, 0.05)));

  /**
   * The default policy: below the paper's first width, the best cells of dytrain's own sweep
   * (configs/sweeps/alpha0-small.yaml, SWEEPS.md), where the paper's clamp at 1.0 / 1.0 left DyT stalled at
   * the unigram loss; from 1024 on, the paper's table. Between 256 and 1024 it is log2-linear like the rest.
   */
  public static final Alpha0Table DEFAULT = new Alpha0Table(List.of(
      new Row(64, 0.5, 8.0), new Row(128, 0.5, 8.0), new Row(256, 0.5, 4.0),
      new Row(1024, 1.0, 1.0), new Row(2048, 1.0, 0.5), new Row(4096, 0.8, 0.2),
      new Row(5120, 0.6, 0.15), new Row(8192, 0.2, 0.05)));

  public Alpha0Table {
    rows = List.copyOf(rows);
    if (rows.isEmpty()) {
      throw new DytrainException("an alpha0 table needs at least one width");
    }
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      if (r.width() <= 0 || !(r.attention() > 0) || !(r.other() > 0)) {
        throw new DytrainException("alpha0 table width " + r.width() + ": the width and both alpha0 values must be positive");
      }
      if (i > 0 && r.width() <= rows.get(i - 1).width()) {
        throw new DytrainException("alpha0 table widths must increase: " + r.width() + " follows " + rows.get(i - 1).width());
      }
    }
  }

  /** The values for a width: a table row, log2-linear between rows, the nearest row outside. */
  public Row at(int width) {
    if (width <= 0) {
      throw new IllegalArgumentException("width must be positive, got " + width);
    }
    Row first = rows.get(0);
    Row last = rows.get(rows.size() - 1);
    if (width <= first.width()) {
      return new Row(width, first.attention(), first.other());
    }
    if (width >= last.width()) {
      return new Row(width, last.attention(), last.other());
    }
    int i = 0;
    while (width > rows.get(i + 1).width()) {
      i++;
    }
    Row lo = rows.get(i);
    Row hi = rows.get(i + 1);
    if (width == hi.width()) {
      return hi;
    }
    double t = (log2(width) - log2(lo.width())) / (log2(hi.width()) - log2(lo.width()));
    return new Row(width, lo.attention() + t * (hi.attention() - lo.attention()), lo.other() + t * (hi.other() - lo.other()));
  }

  /** Reads a table file; errors name the file and the width whose entry is wrong. */
  public static Alpha0Table read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DytrainException("alpha0 table " + file + " does not exist (model.alpha0_table)");
    }
    JsonNode tree;
    try {
      tree = ConfigLoader.YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new DytrainException("alpha0 table " + file + " is not valid YAML: " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject() || tree.isEmpty()) {
      throw new DytrainException("alpha0 table " + file + " must map widths to {attention: A, other: O}");
    }
    List<Row> rows = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = "alpha0 table " + file + ", width " + e.getKey();
      int width;
      try {
        width = Integer.parseInt(e.getKey());
      } catch (NumberFormatException bad) {
        throw new DytrainException(where + ": a width must be a positive integer");
      }
      JsonNode v = e.getValue();
      if (!v.isObject() || v.size() != 2 || !v.path("attention").isNumber() || !v.path("other").isNumber()) {
        throw new DytrainException(where + ": expected {attention: A, other: O} with two numbers, got " + v);
      }
      rows.add(new Row(width, v.get("attention").asDouble(), v.get("other").asDouble()));
    }
    try {
      return new Alpha0Table(rows);
    } catch (DytrainException e) {
      throw new DytrainException("alpha0 table " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the table in the format {@link #read} reads. */
  public void write(Path file) throws IOException {
    ObjectNode root = ConfigLoader.YAML.createObjectNode();
    for (Row r : rows) {
      ObjectNode v = root.putObject(Integer.toString(r.width()));
      v.put("attention", r.attention());
      v.put("other", r.other());
    }
    Files.writeString(file, ConfigLoader.YAML.writeValueAsString(root));
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
