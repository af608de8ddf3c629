package dytrain.config;

/**
 * A problem with the user's input (a config key, a flag, a file) that the command line reports as one
 * message naming the input, without a stack trace.
 */
public class DytrainException extends RuntimeException {
  public DytrainException(String message) {
    super(message);
  }

  public DytrainException(String message, Throwable cause) {
    super(message, cause);
  }
}
