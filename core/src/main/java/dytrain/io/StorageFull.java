package dytrain.io;

import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.fs.ClusterStorageCapacityExceededException;

/**
 * Tells a write that failed for want of room from other I/O failures: an HDFS space or name quota used up
 * (Hadoop's ClusterStorageCapacityExceededException), and a full local disk or user quota (ENOSPC, EDQUOT),
 * which Hadoop's local file system throws wrapped in an FSError. Retrying cannot help until room is made,
 * so writers report it as the user's to fix, saying what they kept.
 */
public final class StorageFull {
  private StorageFull() {}

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
