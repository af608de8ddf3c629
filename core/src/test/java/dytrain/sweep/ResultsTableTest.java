package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTableTest {

  @TempDir java.nio.file.Path dir;

  /** Two trials of the tiny model (dyt and rmsnorm), budgets of 100 and 400 steps of 512 tokens. */
  List<ResultRow> rows() throws Exception {
    java.nio.file.Path sweep = dir.resolve("sweep.yaml");
    Files.writeString(sweep, "base: " + SweepExpansionTest.TINY + "\ngrid:\n  model.norm_type: [dyt, rmsnorm]\n"
        + "set:\n  model.norm_bias: true\nbudgets: [51200, 204800]\n");
    List<Trial> trials = SweepExpansion.expand(sweep, c -> DatasetIdentity.NONE);
    return List.of(
        ResultRow.done(trials.get(0), 51200, 3.25, 3.125, 3.5, 12.5),
        ResultRow.done(trials.get(0), 204800, 2.75, 2.75, 2.875, 40.25),
        ResultRow.failed(trials.get(1), 51200, "step 17: loss is NaN, \"diverged\"", 4.0, 3.0),
        ResultRow.failed(trials.get(1), 204800, "not run: the trunk failed", null, 0.0));
  }

  @Test
  void csvAndParquetReadBackTheRowsWritten() throws Exception {
    List<ResultRow> rows = rows();
    Configuration conf = new Configuration();
    ResultsTable.write(dir.toString(), conf, rows);
    FileSystem fs = FileSystem.getLocal(conf);
    assertEquals(rows, ResultsTable.readCsv(fs, new Path(dir.resolve(ResultsTable.CSV_FILE).toString())));
    assertEquals(rows, ResultsTable.readParquet(new Path(dir.resolve(ResultsTable.PARQUET_FILE).toString()), conf));
  }

  @Test
  void parquetColumnsAreTypedByTheirValues() throws Exception {
    Configuration conf = new Configuration();
    ResultsTable.write(dir.toString(), conf, rows());
    Path file = new Path(dir.resolve(ResultsTable.PARQUET_FILE).toString());
    MessageType schema;
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      schema = reader.getFooter().getFileMetaData().getSchema();
    }
    assertEquals(PrimitiveTypeName.INT64, type(schema, "model.hidden_size"));
    assertEquals(PrimitiveTypeName.INT64, type(schema, "tokens"));
    assertEquals(PrimitiveTypeName.DOUBLE, type(schema, "train.lr"));
    assertEquals(PrimitiveTypeName.DOUBLE, type(schema, "loss"));
    assertEquals(PrimitiveTypeName.BOOLEAN, type(schema, "model.norm_bias"));
    assertEquals(PrimitiveTypeName.BINARY, type(schema, "model.norm_type"));
  }

  @Test
  void rowsCountParamsAndFlopsAsInfoDoes() throws Exception {
    ResultRow r = rows().get(0);
    // tiny.yaml: vocab 64, width 32, MLP 48, 2 layers, 4 heads over 2 kv heads of 8, untied head, dyt with bias
    long attention = 32 * 32 + 2 * 16 * 32 + 32 * 32;
    long mlp = 3 * 32 * 48;
    long norms = 5 * (1 + 32 + 32);
    long embeddings = 2 * 64 * 32;
    assertEquals(embeddings + 2 * (attention + mlp) + norms + 1, r.params(), "plus embed_scale");
    assertEquals(2 * (attention + mlp) + norms + 1, r.paramsNonEmbedding());
    long matmul = 2 * (attention + mlp) + 64 * 32;
    assertEquals((6.0 * matmul + 12.0 * 2 * 32 * 64) * 51200, r.flops(), 0.0, "6 N + attention, per token x D");
    assertEquals("dyt", r.config().get("model.norm_type"));
    assertEquals("400", r.config().get("train.steps"));
  }

  @Test
  void theCsvFeedsTheFitAndRerunsSkipFinishedTrials() throws Exception {
    List<ResultRow> rows = rows();
    ResultsTable.write(dir.toString(), new Configuration(), rows);
    List<ScalingPoint> points = ScalingPointsCsv.read(dir.resolve(ResultsTable.CSV_FILE));
    assertEquals(ResultsTable.points(rows), points, "the failed rows are left out");
    assertEquals(List.of(new ScalingPoint(rows.get(0).params(), 51200, 3.25), new ScalingPoint(rows.get(0).params(), 204800, 2.75)),
        ResultsTable.points(rows));
    assertEquals(Set.of(rows.get(0).trial()), ResultsTable.finishedTrials(rows));
  }

  @Test
  void aDamagedCsvIsNamedByLineAndColumn() throws Exception {
    ResultsTable.write(dir.toString(), new Configuration(), rows());
    java.nio.file.Path csv = dir.resolve(ResultsTable.CSV_FILE);
    List<String> lines = Files.readAllLines(csv);
    lines.set(2, lines.get(2).replaceFirst(",done,,(\\d+),", ",done,,many,"));
    Files.write(csv, lines);
    String message = assertThrows(DytrainException.class,
        () -> ResultsTable.readCsv(FileSystem.getLocal(new Configuration()), new Path(csv.toString()))).getMessage();
    assertTrue(message.contains("results.csv line 3, column params: 'many' is not a number"), message);
  }

  private static PrimitiveTypeName type(MessageType schema, String column) {
    return schema.getType(column).asPrimitiveType().getPrimitiveTypeName();
  }
}
