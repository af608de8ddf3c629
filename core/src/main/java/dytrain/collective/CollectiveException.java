package dytrain.collective;

/** A collective that could not complete: a peer died, stalled past the timeout, or failed to authenticate. */
public class CollectiveException extends RuntimeException {
  public CollectiveException(String message) {
    super(message);
  }

  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
