package dytrain.spark;

import dytrain.config.UserErrors;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Remembers the first user error (a DytrainException: bad config, refused resume, corrupt data) that a
 * rank's task ended with. A failed barrier stage reaches the driver only as "barrier task finished
 * unsuccessfully"; the task's own exception travels in its task-end event, so the driver can name the
 * problem at once instead of relaunching a run that would fail the same way.
 */
final class UserErrorListener extends SparkListener {
  private final AtomicReference<String> first = new AtomicReference<>();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    if (taskEnd.reason() instanceof ExceptionFailure failure) {
      UserErrors.ofTask(failure.className(), failure.description()).ifPresent(message -> first.compareAndSet(null, message));
    }
  }

  /** The message of the first user error seen since the last call. */
  Optional<String> take() {
    return Optional.ofNullable(first.getAndSet(null));
  }
}
