package dytrain.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dytrain.config.ModelConfig;
import dytrain.config.NormType;
import dytrain.model.Autograd;
import dytrain.model.Kernels;
import dytrain.model.Parameters;
import dytrain.model.norm.Norm;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The DyT paper's layer latency comparison (DyT paper, table 7) on this machine: each norm on a
 * [tokens, hidden] activation, forward and forward+backward, as a ratio to RMSNorm in the same run,
 * and as achieved bytes/s against the measured memory copy bandwidth (norm layers are bandwidth-bound:
 * the least traffic is one read and one write per element forward, and two reads and one write backward).
 * fp32 is what dytrain trains in; float16 shows the paper's 16-bit setting, where RMSNorm computes in fp32,
 * forward only; {@link #runBfloat16} the paper's own precision, forward and backward, DyT and RMSNorm.
 */
public final class NormBenchmark {

  /** One norm's timings. */
  public record Result(NormType type, double forwardSeconds, double trainSeconds, double forwardBytes, double trainBytes) {
    Result bestWith(Result other) {
      return new Result(type, Math.min(forwardSeconds, other.forwardSeconds), Math.min(trainSeconds, other.trainSeconds),
          forwardBytes, trainBytes);
    }
  }

  private NormBenchmark() {}

  public static List<Result> run(int tokens, int hidden, int runs, DataType dtype, PrintStream out) {
    if (dtype == DataType.BFLOAT16) {
      throw new IllegalArgumentException("DJL aborts the JVM on a bfloat16 array: use runBfloat16");
    }
    List<Result> results = new ArrayList<>();
    long elements = (long) tokens * hidden;
    int bytes = dtype.getNumOfBytes();
    boolean half = dtype == DataType.FLOAT16;
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = m.randomNormal(new Shape(tokens, hidden)).toType(dtype, false);
      NDArray dy = m.randomNormal(new Shape(tokens, hidden)).toType(dtype, false);
      out.printf("activation %d x %d %s (%.0f MB), best of %d rounds of %d runs each%n",
          tokens, hidden, half ? "float16" : "float32", (double) bytes * elements / 1e6, Stopwatch.ROUNDS, runs);
      if (half) {
        out.println("float16: RMSNorm normalises in fp32 and casts back, as LLaMA's reference code does in 16 bits;"
            + " forward only, as DJL's dtype cast does not carry gradients");
      }
      List<NormType> types = List.of(NormType.RMSNORM, NormType.DYT, NormType.DERF, NormType.LAYERNORM);
      double copySeconds = Double.POSITIVE_INFINITY;
      for (int round = 0; round < Stopwatch.ROUNDS; round++) { // alternating, best round counts: see Stopwatch
        copySeconds = Math.min(copySeconds, Stopwatch.secondsPerRun(3, runs, () -> {
          try (NDScope s = new NDScope()) {
            x.duplicate();
          }
        }));
        for (int i = 0; i < types.size(); i++) {
          Result r = measure(types.get(i), x, dy, runs, elements * bytes, !half);
          if (round == 0) {
            results.add(r);
          } else {
            results.set(i, results.get(i).bestWith(r));
          }
        }
      }
      double copyBandwidth = 2.0 * bytes * elements / copySeconds;
      out.printf("memory copy (torch clone, best round): %.2f GB/s%n", copyBandwidth / 1e9);
      Result rms = results.get(0);
      out.printf("%-10s %12s %9s %12s %14s %9s %12s%n", "norm", "forward ms", "vs rms", "GB/s (copy%)",
          "fwd+bwd ms", "vs rms", "GB/s (copy%)");
      for (Result r : results) {
        double fwdBw = r.forwardBytes / r.forwardSeconds;
        out.printf("%-10s %12.2f %+8.1f%% %6.1f (%3.0f%%)", r.type.key(), r.forwardSeconds * 1e3,
            100 * (r.forwardSeconds / rms.forwardSeconds - 1), fwdBw / 1e9, 100 * fwdBw / copyBandwidth);
        if (half) {
          out.printf(" %14s%n", "n/a");
        } else {
          double trainBw = r.trainBytes / r.trainSeconds;
          out.printf(" %14.2f %+8.1f%% %6.1f (%3.0f%%)%n", r.trainSeconds * 1e3,
              100 * (r.trainSeconds / rms.trainSeconds - 1), trainBw / 1e9, 100 * trainBw / copyBandwidth);
        }
      }
      out.println("vs rms: time against RMSNorm's, negative is faster; paper (H100, bf16, LLaMA 7B layers): DyT -52.4% forward, -42.2% forward+backward");
    }
    return results;
  }

  /** One norm kernel, DyT or RMSNorm, in one precision. */
  private record KernelNorm(NormType type, String precision, Kernels kernels) {
    NDArray forward(NDArray x, NDArray alpha, NDArray w) {
      return type == NormType.DYT ? kernels.dyt(x, alpha, w) : kernels.rmsNorm(x, w);
    }
  }

  /**
   * The DyT paper's table 7 in its own precision, bf16, forward and forward+backward: DyT computing in bf16
   * ({@code w * tanh(alpha * x)} on a bf16 x) against RMSNorm as LLaMA's code runs it in bf16 (x upcast to
   * fp32, normalised, cast back to bf16, times w), as a ratio measured in the same run. DJL aborts on a
   * bf16 array, so each norm is one TorchScript kernel ({@link Kernels#dyt}, {@link Kernels#rmsNorm}) that
   * takes fp32, casts to bf16 first and returns fp32: both norms pay the same two casts. The same kernels
   * in fp32 run alongside for scale.
   */
  public static void runBfloat16(int tokens, int hidden, int runs, PrintStream out) {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        Kernels bf16 = Kernels.load("bfloat16", m);
        Kernels fp32 = Kernels.load("float32", m)) {
      NDArray x = m.randomNormal(new Shape(tokens, hidden));
      NDArray dy = m.randomNormal(new Shape(tokens, hidden));
      out.printf("activation %d x %d bfloat16 (%.0f MB), best of %d rounds of %d runs each%n",
          tokens, hidden, 2.0 * tokens * hidden / 1e6, Stopwatch.ROUNDS, runs);
      out.println("each norm is one TorchScript kernel taking and returning fp32 (DJL aborts on bf16 arrays): it casts"
          + " x, alpha and w to bf16 first and its output to fp32 last, the same casts for both norms, included in"
          + " every time below");
      out.println("dyt: w * tanh(alpha * x) on the bf16 x; rmsnorm: bf16 x upcast to fp32, normalised, cast back to"
          + " bf16, times w (LLaMA's reference code)");
      List<KernelNorm> norms = List.of(new KernelNorm(NormType.RMSNORM, "bfloat16", bf16),
          new KernelNorm(NormType.DYT, "bfloat16", bf16), new KernelNorm(NormType.RMSNORM, "float32", fp32),
          new KernelNorm(NormType.DYT, "float32", fp32));
      double[][] times = new double[norms.size()][];
      for (int round = 0; round < Stopwatch.ROUNDS; round++) { // alternating, best round counts: see Stopwatch
        for (int i = 0; i < norms.size(); i++) {
          times[i] = Stopwatch.best(times[i], measure(norms.get(i), x, dy, runs));
        }
      }
      out.printf("%-8s %-9s %12s %9s %14s %9s%n", "norm", "dtype", "forward ms", "vs rms", "fwd+bwd ms", "vs rms");
      for (int i = 0; i < norms.size(); i++) {
        double[] rms = times[i - i % 2]; // each precision's RMSNorm row precedes its DyT row
        out.printf("%-8s %-9s %12.2f %+8.1f%% %14.2f %+8.1f%%%n", norms.get(i).type().key(), norms.get(i).precision(),
            times[i][0] * 1e3, 100 * (times[i][0] / rms[0] - 1), times[i][1] * 1e3, 100 * (times[i][1] / rms[1] - 1));
      }
      out.printf("DyT vs RMSNorm in bf16, this run: %+.1f%% forward, %+.1f%% forward+backward;"
          + " paper (H100, bf16, LLaMA 7B layers): -52.4%% forward, -42.2%% forward+backward%n",
          100 * (times[1][0] / times[0][0] - 1), 100 * (times[1][1] / times[0][1] - 1));
      out.println("vs rms: time against RMSNorm's in the same dtype, negative is faster");
    }
  }

  /** Forward and forward+backward seconds per run of one norm kernel, with fresh alpha (0.5) and w (1). */
  private static double[] measure(KernelNorm norm, NDArray x, NDArray dy, int runs) {
    NDManager m = x.getManager();
    try (NDArray alpha = m.full(new Shape(1), 0.5f); NDArray w = m.ones(new Shape(x.getShape().get(1)));
        NDArray input = x.duplicate()) {
      double forward = Stopwatch.secondsPerRun(3, runs, () -> {
        try (NDScope s = new NDScope(); Autograd off = Autograd.noGrad()) {
          norm.forward(x, alpha, w);
        }
      });
      for (NDArray a : new NDArray[] {input, alpha, w}) {
        a.setRequiresGradient(true);
      }
      double forwardBackward = Stopwatch.secondsPerRun(3, runs, () -> {
        try (NDScope s = new NDScope(); Autograd rec = Autograd.record()) {
          Autograd.backward(norm.forward(input, alpha, w), dy);
        }
      });
      return new double[] {forward, forwardBackward};
    }
  }

  private static Result measure(NormType type, NDArray x, NDArray dy, int runs, long activationBytes, boolean train) {
    int hidden = (int) x.getShape().get(1);
    ModelConfig config = new ModelConfig(16, hidden, null, 1, 1, 1, 1, null, type, false, null, null, null, null, null, null);
    try (Parameters params = Parameters.create(Device.cpu(), x.getDataType(), 0)) {
      Norm norm = Norm.create(config, "norm", 0.5, params);
      double forward = Stopwatch.secondsPerRun(3, runs, () -> {
        try (NDScope s = new NDScope(); Autograd off = Autograd.noGrad()) {
          norm.forward(x);
        }
      });
      double forwardBackward = Double.NaN;
      if (train) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        forwardBackward = Stopwatch.secondsPerRun(3, runs, () -> {
          try (NDScope s = new NDScope(); Autograd rec = Autograd.record()) {
            Autograd.backward(norm.forward(input), dy);
          }
        });
        input.close();
      }
      return new Result(type, forward, forwardBackward, 2.0 * activationBytes, 5.0 * activationBytes);
    }
  }
}
