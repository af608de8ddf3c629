package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import dytrain.io.FullDisk;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

  /** Metrics that do not fit on the disk stop the run as the user's error naming the run folder, not as an FSError. */
  @Test
  void metricsThatDoNotFitOnTheDiskAreTheUsersErrorNamingTheFolder(@TempDir Path run) throws Exception {
    var metrics = new MetricsLog(run.toString(), FullDisk.on(new Configuration(), 100));
    metrics.add(row(0));
    var e = assertThrows(DytrainException.class, metrics::flush);
    assertTrue(e.getMessage().startsWith("cannot write the metrics in " + run + ": No space left on device"), e.getMessage());
  }

  /** A long run's writes cost its new rows: rewriting the whole file at every flush wrote 10x the file here. */
  @Test
  void eachFlushWritesOnlyTheNewRows(@TempDir Path run) throws Exception {
    long room = 1L << 30;
    Configuration disk = FullDisk.on(new Configuration(), room);
    var metrics = new MetricsLog(run.toString(), disk);
    for (long step = 0; step < 200; step++) {
      metrics.add(row(step));
      if (step % 10 == 9) {
        metrics.flush();
      }
    }
    long written = room - FullDisk.free(disk);
    long size = Files.size(run.resolve(MetricsLog.TRAIN_FILE));
    assertEquals(steps(0, 200), steps(run), "every row flushed is seen while the file is open");
    assertEquals(size, written, "bytes written against the size of metrics.csv");
    metrics.close();
  }

  /** A resumed run drops the rows past its checkpoint once, then appends: its file is the uninterrupted run's. */
  @Test
  void aResumedLogDropsTheRowsPastItsStepAndAppendsAfterThem(@TempDir Path run) throws Exception {
    killedAfterFlushing(run, 10);
    var resumed = resumedAt(run, 6);
    LongStream.range(6, 12).forEach(step -> resumed.add(row(step)));
    resumed.flush();
    resumed.add(row(12));
    resumed.flush();
    assertEquals(steps(0, 13), steps(run));
    resumed.close();
  }

  /** A crash in the middle of an append leaves an unfinished line: readers skip it and a resume removes it. */
  @Test
  void anUnfinishedLastLineIsSkippedAndDroppedOnResume(@TempDir Path run) throws Exception {
    killedAfterFlushing(run, 4);
    String whole = MetricsCsv.format(row(4));
    Files.writeString(run.resolve(MetricsLog.TRAIN_FILE), whole.substring(0, whole.length() - 1), StandardOpenOption.APPEND);
    assertEquals(steps(0, 4), steps(run), "the cut row is not read");
    var resumed = resumedAt(run, 4);
    resumed.add(row(4));
    resumed.flush();
    assertEquals(steps(0, 5), steps(run));
    assertTrue(Files.readString(run.resolve(MetricsLog.TRAIN_FILE)).endsWith(whole + "\n"));
  }

  /** Where a file is seen only once closed (object stores), it is rewritten whole and holds every row. */
  @Test
  void whereFlushedBytesAreNotSeenTheFileIsRewrittenWhole(@TempDir Path run) throws Exception {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", ObjectStoreLikeDisk.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    var metrics = new MetricsLog(run.toString(), conf);
    for (long step = 0; step < 30; step++) {
      metrics.add(row(step));
      if (step % 10 == 9) {
        metrics.flush();
      }
    }
    assertEquals(steps(0, 30), steps(run));
  }

  /** The local disk as an object store's files behave: a stream cannot flush its bytes to readers. */
  public static final class ObjectStoreLikeDisk extends RawLocalFileSystem {
    @Override
    public FSDataOutputStream create(org.apache.hadoop.fs.Path f, FsPermission permission, boolean overwrite,
        int bufferSize, short replication, long blockSize, Progressable progress) throws IOException {
      FSDataOutputStream file = super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
      return new FSDataOutputStream(new FilterOutputStream(file) { // neither StreamCapabilities nor Syncable
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }
      }, null);
    }
  }

  /** Steps 0 to {@code steps - 1} flushed by a log that is never closed, as a killed process leaves it. */
  private static void killedAfterFlushing(Path run, long steps) throws IOException {
    var log = new MetricsLog(run.toString(), new Configuration());
    LongStream.range(0, steps).forEach(step -> log.add(row(step)));
    log.flush();
  }

  private static MetricsLog resumedAt(Path run, long step) throws IOException {
    var log = new MetricsLog(run.toString(), new Configuration());
    log.resumeAt(step);
    return log;
  }

  private static StepMetrics row(long step) {
    return new StepMetrics(step, 5.5 - step * 0.01, 1.0, 1e-3, 512, 1000, 0.1, 0.01, 0.1, 0.01, 0.01, false, false);
  }

  private static List<Long> steps(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  private static List<Long> steps(Path run) throws IOException {
    var file = new org.apache.hadoop.fs.Path(run.resolve(MetricsLog.TRAIN_FILE).toUri());
    return MetricsCsv.readSteps(file.getFileSystem(new Configuration()), file).stream().map(StepMetrics::step).toList();
  }
}
