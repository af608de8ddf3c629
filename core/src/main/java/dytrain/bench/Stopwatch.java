package dytrain.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/** Times repeated runs of a body after a warm-up; libtorch CPU ops are synchronous, so wall time is honest. */
final class Stopwatch {
  /**
   * Benchmarks comparing norms run each one this many times, alternating, and keep each one's best round:
   * whichever ran first would otherwise also pay for warming up the JIT and libtorch (a step benchmark
   * once showed DyT 40% faster than RMSNorm for that alone), and a burst of other load on a shared machine
   * would land on one side only.
   */
  static final int ROUNDS = 3;

  private Stopwatch() {}

  /** The element-wise smaller of two timings, {@code null} standing for none yet. */
  static double[] best(double[] sofar, double[] next) {
    if (sofar == null) return next;
    double[] best = sofar.clone();
    for (int i = 0; i < best.length; i++) best[i] = Math.min(best[i], next[i]);
    return best;
  }

  /**
   * Wall and process-CPU seconds per run, after {@code warmup} untimed runs. On a machine shared with other
   * jobs wall time also measures them; the CPU seconds of this process (all its threads, libtorch's
   * included; run with OMP_WAIT_POLICY=PASSIVE so waiting threads do not spin) measure its own work.
   */
  static double[] wallAndCpuSecondsPerRun(int warmup, int runs, Runnable body) {
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    long cpu = os.getProcessCpuTime();
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      body.run();
    }
    return new double[] {(System.nanoTime() - start) / 1e9 / runs, (os.getProcessCpuTime() - cpu) / 1e9 / runs};
  }

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
