package dytrain.io;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.ClusterStorageCapacityExceededException;
import org.apache.hadoop.fs.FSError;

/**
 * Tells a write that failed for want of room from other I/O failures: an HDFS space or name quota used up
 * (Hadoop's ClusterStorageCapacityExceededException), and a full local disk or user quota (ENOSPC, EDQUOT),
 * which Hadoop's local file system throws wrapped in an FSError. Retrying cannot help until room is made,
 * so writers report it as the user's to fix, saying what they kept.
 */
public final class StorageFull {
  private StorageFull() {}

  /** A write to guard. */
  public interface Write {
    void run() throws IOException;
  }

  /**
   * Runs {@code write}. If it fails for want of room, the failure becomes the user's error, worded by
   * {@code message} from the file system's own words; any other failure passes through as it was.
   */
  public static void guard(Write write, UnaryOperator<String> message) throws IOException {
    try {
      write.run();
    } catch (IOException | FSError e) { // FSError: how Hadoop's local file system reports a full disk
      Optional<String> full = reason(e);
      if (full.isPresent()) {
        throw new DytrainException(message.apply(full.get()), e);
      }
      throw e;
    }
  }

  /** The file system's own words for the lack of room behind {@code failure}; empty for any other failure. */
  public static Optional<String> reason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (t instanceof ClusterStorageCapacityExceededException
          || t instanceof IOException && message != null
              && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
        return Optional.of(message == null ? t.getClass().getSimpleName() : message.lines().findFirst().orElse(""));
      }
    }
    return Optional.empty();
  }
}
