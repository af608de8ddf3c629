package dytrain.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dytrain.train.PeakFlops;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "peak", description = "Measure this machine's fp32 and bf16 matmul peaks (the MFU denominators).")
final class PeakBenchCommand implements Runnable {
  private static final int[] SIZES = {256, 512, 1024, 2048};

  @Option(names = "--trials", defaultValue = "5") int trials;
  @Option(names = "--seconds", defaultValue = "1.0", description = "per trial") double seconds;

  @Override
  public void run() {
    Flags.positive("--trials", trials);
    Flags.positive("--seconds", seconds);
    Engine.getEngine("PyTorch"); // loads libtorch before asking it anything
    System.out.printf("libtorch intra-op threads: %d (DYTRAIN_THREADS)%n", JniUtils.getNumThreads());
    double fp32 = peak("float32", "fp32");
    double bf16 = peak("bfloat16", "bf16");
    System.out.println("bf16 runs through the model's kernels: an fp32 -> bf16 cast of each input and a bf16 -> fp32"
        + " cast of the output around each matmul, as a training step pays them");
    System.out.printf("peak fp32: %.1f GFLOP/s; set train.peak_flops: %.3e for model.dtype float32%n", fp32 / 1e9, fp32);
    System.out.printf("peak bf16: %.1f GFLOP/s; set train.peak_flops: %.3e for model.dtype bfloat16%n", bf16 / 1e9, bf16);
    System.out.printf("bf16 / fp32: %.2fx (peak_flops replaces the trainer's 1 s measurement in the run's dtype)%n",
        bf16 / fp32);
  }

  /** The best over {@link #SIZES} of {@code dtype}'s matmuls, each size printed. */
  private double peak(String dtype, String label) {
    double best = 0;
    for (int n : SIZES) {
      double flops = PeakFlops.measure(dtype, n, trials, seconds);
      best = Math.max(best, flops);
      System.out.printf("matmul %4d x %4d %s: %7.1f GFLOP/s (best of %d)%n", n, n, label, flops / 1e9, trials);
    }
    return best;
  }
}
