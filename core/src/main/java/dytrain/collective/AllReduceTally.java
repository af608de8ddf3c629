package dytrain.collective;

/** How many all-reduces a sync ran and how long they took since the trainer last asked. */
final class AllReduceTally {
  private double seconds;
  private long count;

  /** Records one all-reduce that began at {@code startNanos} (System.nanoTime) and ends now. */
  void record(long startNanos) {
    seconds += (System.nanoTime() - startNanos) / 1e9;
    count++;
  }

  double takeSeconds() {
    double s = seconds;
    seconds = 0;
    return s;
  }

  long count() {
    return count;
  }
}
