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
 * fp32 is what dytrain trains in; float16 shows the paper's 16-bit setting, where RMSNorm computes in fp32.
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
