package dytrain.config;

import java.util.Optional;

/**
 * The one place that tells a user's mistake from a crash when a job's task fails on a cluster (a prep task,
 * a training rank). A task's DytrainException (bad input, a refused resume) reaches the driver wrapped in
 * Spark's exceptions, sometimes only as text; it is the user's message and must be shown as it is, once,
 * instead of a trace or a relaunch that would fail the same way.
 */
public final class UserErrors {
  private static final String MARKER = DytrainException.class.getName() + ": ";

  private UserErrors() {}

  /** The user error behind {@code failure}: a DytrainException among its causes, or one named in its message. */
  public static Optional<DytrainException> in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DytrainException d) {
        return Optional.of(new DytrainException(d.getMessage(), failure));
      }
    }
    String text = String.valueOf(failure.getMessage());
    int at = text.indexOf(MARKER);
    if (at < 0) {
      return Optional.empty();
    }
    String message = text.substring(at + MARKER.length()).lines().findFirst().orElse("");
    return Optional.of(new DytrainException(message, failure));
  }

  /** The user error a failed task ended with, from its exception's class name and message (Spark's task-end event). */
  public static Optional<String> ofTask(String exceptionClass, String description) {
    return exceptionClass.equals(DytrainException.class.getName()) ? Optional.of(description) : Optional.empty();
  }
}
