package dytrain.bench;

/** Times repeated runs of a body after a warm-up; libtorch CPU ops are synchronous, so wall time is honest. */
final class Stopwatch {
  private Stopwatch() {}

  /** Median-free mean seconds per run of {@code body}, after {@code warmup} untimed runs. */
  static double secondsPerRun(int warmup, int runs, Runnable body) {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      body.run();
    }
    return (System.nanoTime() - start) / 1e9 / runs;
  }
}
