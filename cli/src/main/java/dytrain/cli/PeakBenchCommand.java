package dytrain.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dytrain.train.PeakFlops;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "peak", description = "Measure this machine's fp32 matmul peak (the MFU denominator).")
final class PeakBenchCommand implements Runnable {
  @Option(names = "--trials", defaultValue = "5") int trials;
  @Option(names = "--seconds", defaultValue = "1.0", description = "per trial") double seconds;

  @Override
  public void run() {
    Flags.positive("--trials", trials);
    Flags.positive("--seconds", seconds);
    Engine.getEngine("PyTorch"); // loads libtorch before asking it anything
    System.out.printf("libtorch intra-op threads: %d (DYTRAIN_THREADS)%n", JniUtils.getNumThreads());
    double best = 0;
    for (int n : new int[] {256, 512, 1024, 2048}) {
      double flops = PeakFlops.measure(n, trials, seconds);
      best = Math.max(best, flops);
      System.out.printf("matmul %4d x %4d fp32: %7.1f GFLOP/s (best of %d)%n", n, n, flops / 1e9, trials);
    }
    System.out.printf("peak: %.1f GFLOP/s; set train.peak_flops: %.3e to use it instead of the trainer's 1 s measurement%n",
        best / 1e9, best);
  }
}
