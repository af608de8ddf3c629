package dytrain.sweep;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.io.AtomicWrite;
import dytrain.data.FsOutputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * A sweep's results (results.csv and results.parquet in the sweep folder, on any Hadoop file system): the
 * one owner of their layout. Columns: the fixed ones below, then every config key path of the trials,
 * sorted. The CSV's {@code params,tokens,loss} columns are what {@link ScalingPointsCsv} fits. In Parquet
 * a config column is int64, double or boolean when all its values are, else a string; a missing value is
 * null (an empty cell in the CSV). An error message's line breaks become spaces: one row per line.
 */
public final class ResultsTable {
  public static final String CSV_FILE = "results.csv";
  public static final String PARQUET_FILE = "results.parquet";
  public static final List<String> FIXED_COLUMNS = List.of("trial", "status", "error", ScalingPointsCsv.PARAMS,
      "params_non_embedding", ScalingPointsCsv.TOKENS, "flops", ScalingPointsCsv.LOSS, "best_val_loss", "train_loss",
      "wall_seconds");

  private ResultsTable() {}

  /** Writes both files into a sweep folder, each atomically. */
  public static void write(String sweepDir, Configuration conf, List<ResultRow> rows) throws IOException {
    Path dir = new Path(sweepDir);
    FileSystem fs = DatasetFileSystem.of(dir, conf);
    writeCsv(fs, new Path(dir, CSV_FILE), rows);
    writeParquet(fs, new Path(dir, PARQUET_FILE), rows);
  }

  public static void writeCsv(FileSystem fs, Path file, List<ResultRow> rows) throws IOException {
    List<String> columns = columns(rows);
    StringBuilder text = new StringBuilder(String.join(",", columns)).append('\n');
    for (ResultRow r : rows) {
      List<String> cells = new ArrayList<>();
      for (String column : columns) cells.add(CsvCells.quote(cell(r, column)));
      text.append(String.join(",", cells)).append('\n');
    }
    AtomicWrite.file(fs, file, text.toString());
  }

  public static List<ResultRow> readCsv(FileSystem fs, Path file) throws IOException {
    String[] lines = DatasetFileSystem.readString(fs, file).split("\n");
    List<String> columns = CsvCells.split(lines[0], file + " line 1");
    if (columns.size() < FIXED_COLUMNS.size() || !columns.subList(0, FIXED_COLUMNS.size()).equals(FIXED_COLUMNS)) {
      throw new DytrainException(file + " line 1: a results table starts with the columns " + String.join(",", FIXED_COLUMNS));
    }
    List<ResultRow> rows = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) continue;
      String where = file + " line " + (i + 1);
      List<String> cells = CsvCells.split(lines[i], where);
      if (cells.size() != columns.size()) {
        throw new DytrainException(where + ": " + cells.size() + " cells, the header has " + columns.size());
      }
      SortedMap<String, String> values = new TreeMap<>();
      for (int c = 0; c < columns.size(); c++) {
        if (!cells.get(c).isEmpty()) values.put(columns.get(c), cells.get(c));
      }
      rows.add(row(values, where));
    }
    return rows;
  }

  public static void writeParquet(FileSystem fs, Path file, List<ResultRow> rows) throws IOException {
    List<String> columns = columns(rows);
    Types.MessageTypeBuilder schema = Types.buildMessage();
    for (String column : columns) {
      PrimitiveTypeName type = columnType(column, rows);
      Repetition repetition = Set.of("trial", "status", "params", "params_non_embedding", "tokens", "flops", "wall_seconds")
          .contains(column) ? Repetition.REQUIRED : Repetition.OPTIONAL;
      Types.PrimitiveBuilder<PrimitiveType> field = Types.primitive(type, repetition);
      if (type == PrimitiveTypeName.BINARY) field = field.as(LogicalTypeAnnotation.stringType());
      schema.addField(field.named(column));
    }
    MessageType type = schema.named("sweep_results");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
    try (ParquetWriter<Group> out = ExampleParquetWriter.builder(new FsOutputFile(fs, tmp))
        .withConf(new Configuration(false)).withType(type).withCompressionCodec(CompressionCodecName.ZSTD)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
      for (ResultRow r : rows) {
        Group g = groups.newGroup();
        for (String column : columns) {
          String value = cell(r, column);
          if (value.isEmpty()) continue;
          switch (type.getType(column).asPrimitiveType().getPrimitiveTypeName()) {
            case INT64 -> g.append(column, Long.parseLong(value));
            case DOUBLE -> g.append(column, Double.parseDouble(value));
            case BOOLEAN -> g.append(column, Boolean.parseBoolean(value));
            default -> g.append(column, value);
          }
        }
        out.write(g);
      }
    }
    fs.delete(file, false);
    if (!fs.rename(tmp, file)) {
      throw new IOException("could not rename " + tmp + " to " + file);
    }
  }

  public static List<ResultRow> readParquet(Path file, Configuration conf) throws IOException {
    List<ResultRow> rows = new ArrayList<>();
    try (ParquetReader<Group> in = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
      for (Group g = in.read(); g != null; g = in.read()) {
        SortedMap<String, String> values = new TreeMap<>();
        for (Type field : g.getType().getFields()) {
          String name = field.getName();
          if (g.getFieldRepetitionCount(name) == 0) continue;
          values.put(name, switch (field.asPrimitiveType().getPrimitiveTypeName()) {
            case INT64 -> Long.toString(g.getLong(name, 0));
            case DOUBLE -> Double.toString(g.getDouble(name, 0));
            case BOOLEAN -> Boolean.toString(g.getBoolean(name, 0));
            default -> g.getString(name, 0);
          });
        }
        rows.add(row(values, file + " row " + (rows.size() + 1)));
      }
    }
    return rows;
  }

  /** The points of the rows that finished, for {@link ParametricFit}. */
  public static List<ScalingPoint> points(List<ResultRow> rows) {
    return rows.stream().map(ResultRow::point).filter(p -> p != null).toList();
  }

  /** Trial ids with every row done: a rerun of the sweep skips these. */
  public static Set<String> finishedTrials(List<ResultRow> rows) {
    Set<String> done = new TreeSet<>();
    rows.forEach(r -> done.add(r.trial()));
    rows.stream().filter(r -> r.status() != ResultRow.Status.DONE).forEach(r -> done.remove(r.trial()));
    return done;
  }

  private static List<String> columns(List<ResultRow> rows) {
    TreeSet<String> config = new TreeSet<>();
    rows.forEach(r -> config.addAll(r.config().keySet()));
    List<String> columns = new ArrayList<>(FIXED_COLUMNS);
    columns.addAll(config);
    return columns;
  }

  /** A row's value of a column as text; empty for a missing value. */
  private static String cell(ResultRow r, String column) {
    return switch (column) {
      case "trial" -> r.trial();
      case "status" -> r.status().key();
      case "error" -> r.error().replaceAll("[\r\n]+", " ");
      case "params" -> Long.toString(r.params());
      case "params_non_embedding" -> Long.toString(r.paramsNonEmbedding());
      case "tokens" -> Long.toString(r.tokens());
      case "flops" -> Double.toString(r.flops());
      case "loss" -> text(r.loss());
      case "best_val_loss" -> text(r.bestValLoss());
      case "train_loss" -> text(r.trainLoss());
      case "wall_seconds" -> Double.toString(r.wallSeconds());
      default -> r.config().getOrDefault(column, "");
    };
  }

  private static ResultRow row(SortedMap<String, String> values, String where) {
    SortedMap<String, String> config = new TreeMap<>(values);
    FIXED_COLUMNS.forEach(config::remove);
    try {
      return new ResultRow(values.get("trial"), ResultRow.Status.parse(values.get("status"), where), values.get("error"),
          (long) number(values, "params", where), (long) number(values, "params_non_embedding", where),
          (long) number(values, "tokens", where), number(values, "flops", where), optional(values, "loss", where),
          optional(values, "best_val_loss", where), optional(values, "train_loss", where),
          number(values, "wall_seconds", where), config);
    } catch (DytrainException e) {
      throw e.getMessage().startsWith(where) ? e : new DytrainException(where + ": " + e.getMessage(), e);
    }
  }

  private static double number(SortedMap<String, String> values, String column, String where) {
    Double v = optional(values, column, where);
    if (v == null) throw new DytrainException(where + ", column " + column + ": a value is required");
    return v;
  }

  private static Double optional(SortedMap<String, String> values, String column, String where) {
    String text = values.get(column);
    if (text == null) return null;
    try {
      return Double.valueOf(text);
    } catch (NumberFormatException e) {
      throw new DytrainException(where + ", column " + column + ": '" + text + "' is not a number");
    }
  }

  private static PrimitiveTypeName columnType(String column, List<ResultRow> rows) {
    switch (column) {
      case "trial", "status", "error" -> { return PrimitiveTypeName.BINARY; }
      case "params", "params_non_embedding", "tokens" -> { return PrimitiveTypeName.INT64; }
      default -> {
        if (FIXED_COLUMNS.contains(column)) return PrimitiveTypeName.DOUBLE;
      }
    }
    boolean integral = true;
    boolean numeric = true;
    boolean bool = true;
    for (ResultRow r : rows) {
      String v = r.config().get(column);
      if (v == null) continue;
      integral &= v.matches("-?[0-9]{1,18}");
      numeric &= isDouble(v);
      bool &= v.equals("true") || v.equals("false");
    }
    return integral ? PrimitiveTypeName.INT64 : numeric ? PrimitiveTypeName.DOUBLE
        : bool ? PrimitiveTypeName.BOOLEAN : PrimitiveTypeName.BINARY;
  }

  /** A text that Double.toString would give back unchanged, so the Parquet round trip keeps the CSV's text. */
  private static boolean isDouble(String v) {
    try {
      return Double.toString(Double.parseDouble(v)).equals(v);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String text(Double v) {
    return v == null ? "" : Double.toString(v);
  }
}
