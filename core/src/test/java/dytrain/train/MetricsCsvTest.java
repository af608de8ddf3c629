package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dytrain.data.DatasetFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.csv and eval.csv as run folders hold them, written and read by column name. */
class MetricsCsvTest {
  @TempDir Path dir;

  @Test
  void aStepRowHasTheLayoutOfExistingRunFolders() {
    var m = new StepMetrics(3, 4.1234567, 0.5, 3e-4, 2048, 12345.67, 0.01234, 0.0012, 0.25, 0.0, 0.01, true, true);
    assertEquals("3,4.123457,0.500000,3.000000e-04,2048,12345.7,0.0123,1.20,250.00,0.00,10.00,1,1", MetricsCsv.format(m));
    assertEquals("100,2.000000,7.3891", MetricsCsv.format(new MetricsLog.Eval(100, 2.0)));
  }

  /** Also a file from before the outlier column: its steps read as no outliers. */
  @Test
  void columnsAreFoundByTheirNameInTheHeader() throws Exception {
    Path file = dir.resolve("metrics.csv");
    Files.writeString(file, "skipped,step,loss,notes,grad_norm,lr,tokens,tokens_per_s,mfu,data_ms,compute_ms,allreduce_ms,optimizer_ms\n"
        + "1,7,3.5,x,0.25,0.001,64,640.0,0.5,1.00,20.00,3.00,4.00\n");
    List<StepMetrics> steps = MetricsCsv.readSteps(fs(), hadoop(file));
    assertEquals(List.of(new StepMetrics(7, 3.5, 0.25, 0.001, 64, 640.0, 0.5, 0.001, 0.02, 0.003, 0.004, true, false)), steps);
  }

  @Test
  void aRowCutShortIsLeftOutAndAMissingFileHasNoRows() throws Exception {
    Path file = dir.resolve("eval.csv");
    Files.writeString(file, "step,val_loss,val_ppl\n4,2.5,12.1825\n8,2.4");
    assertEquals(List.of(new MetricsLog.Eval(4, 2.5)), MetricsCsv.readEvals(fs(), hadoop(file)));
    assertEquals(List.of(), MetricsCsv.readSteps(fs(), hadoop(dir.resolve("none.csv"))));
  }

  private FileSystem fs() throws Exception {
    return DatasetFileSystem.of(hadoop(dir), new Configuration());
  }

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  /**
   * A follower returns each row once, a row still being written only once it ends, and reads a file that
   * was started over (a resumed rank trims the rows past its checkpoint) from its beginning.
   */
  @Test
  void aFollowerReturnsNewRowsOnceAndStartsOverWithTheFile() throws Exception {
    Path csv = dir.resolve(MetricsLog.TRAIN_FILE);
    var file = new org.apache.hadoop.fs.Path(csv.toUri());
    var follower = new MetricsCsv.StepFollower(DatasetFileSystem.of(file, new Configuration()), file);
    assertEquals(List.of(), follower.read(), "no file yet");
    Files.writeString(csv, MetricsCsv.table(MetricsCsv.STEP_HEADER, List.of(row(0, 4.0), row(1, 3.9))) + row(2, 3.8).substring(0, 9));
    assertEquals(List.of(0L, 1L), steps(follower.read()), "the cut-short row waits");
    Files.writeString(csv, MetricsCsv.table(MetricsCsv.STEP_HEADER, List.of(row(0, 4.0), row(1, 3.9), row(2, 3.8))));
    assertEquals(List.of(2L), steps(follower.read()));
    assertEquals(List.of(), follower.read(), "nothing new");
    Files.writeString(csv, MetricsCsv.table(MetricsCsv.STEP_HEADER, List.of(row(0, 4.0), row(1, 3.7), row(2, 3.6))));
    List<StepMetrics> again = follower.read();
    assertEquals(List.of(0L, 1L, 2L), steps(again), "rewritten from step 1 on: read again from the start");
    assertEquals(3.6, again.get(2).loss(), 0);
  }

  private static String row(long step, double loss) {
    return MetricsCsv.format(new StepMetrics(step, loss, 1.0, 0.001, 128, 1000, 0.5, 1e-4, 0.01, 0, 0.001, false, false));
  }

  private static List<Long> steps(List<StepMetrics> rows) {
    return rows.stream().map(StepMetrics::step).toList();
  }
}
