package dytrain.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dytrain.config.DytrainConfig;
import dytrain.config.ModelConfig;
import dytrain.config.NormType;
import dytrain.config.TrainConfig;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import dytrain.model.ModelSize;
import dytrain.model.Tensors;
import dytrain.train.AdamW;
import dytrain.train.GradientClipping;
import dytrain.train.PeakFlops;
import java.io.PrintStream;
import java.util.Random;

/**
 * One whole training step (forward, backward, global clipping, AdamW) at a config's shape: rmsnorm and dyt,
 * each in float32 and bfloat16, in the same run. Tokens/s, and MFU against the matmul peak of the dtype in
 * use, measured in the same run.
 */
public final class TrainStepBenchmark {
  private TrainStepBenchmark() {}

  private record Variant(NormType norm, String dtype) {}

  private static final Variant[] VARIANTS = {
      new Variant(NormType.RMSNORM, "float32"), new Variant(NormType.DYT, "float32"),
      new Variant(NormType.RMSNORM, "bfloat16"), new Variant(NormType.DYT, "bfloat16")};

  /** @param float32Peak fp32 matmul FLOP/s measured by the caller; the bf16 peak is measured here */
  public static void run(DytrainConfig config, int steps, double float32Peak, PrintStream out) {
    double[] peaks = {float32Peak, PeakFlops.measure("bfloat16", 1024, 5, 0.5)};
    int batch = config.train().microBatchSize();
    int seqLen = config.seqLen();
    double flopsPerToken = ModelSize.of(config.model()).trainingFlopsPerToken(seqLen);
    out.printf("train step: d=%d layers=%d vocab=%d, micro-batch %d x %d tokens, best of %d rounds of %d steps;"
            + " matmul peak %.1f GFLOP/s float32, %.1f bfloat16%n",
        config.model().hiddenSize(), config.model().numLayers(), config.model().vocabSize(), batch, seqLen,
        Stopwatch.ROUNDS, steps, peaks[0] / 1e9, peaks[1] / 1e9);
    double[][] best = new double[VARIANTS.length][]; // wall and CPU seconds per step
    for (int round = 0; round < Stopwatch.ROUNDS; round++) { // alternating, best round counts: see Stopwatch
      for (int i = 0; i < VARIANTS.length; i++) {
        ModelConfig model = ModelBenchmark.with(config.model(), VARIANTS[i].norm(), VARIANTS[i].dtype());
        best[i] = Stopwatch.best(best[i], time(model, config.train(), batch, seqLen, steps));
      }
    }
    double[] seconds = new double[VARIANTS.length];
    for (int i = 0; i < VARIANTS.length; i++) {
      seconds[i] = best[i][0];
    }
    for (int i = 0; i < VARIANTS.length; i++) {
      Variant v = VARIANTS[i];
      double tokensPerSecond = batch * seqLen / seconds[i];
      double peak = v.dtype().equals("float32") ? peaks[0] : peaks[1];
      out.printf("%-8s %-8s %8.1f ms/step %7.0f tokens/s %7.0f per CPU-s  MFU %5.1f%%  vs rmsnorm %+5.1f%%"
              + "  vs float32 %4.2fx (CPU %4.2fx)%n",
          v.norm().key(), v.dtype(), seconds[i] * 1e3, tokensPerSecond, batch * seqLen / best[i][1],
          100 * flopsPerToken * tokensPerSecond / peak, 100 * (seconds[i] / seconds[i - i % 2] - 1),
          seconds[i % 2] / seconds[i], best[i % 2][1] / best[i][1]);
    }
    out.println("vs rmsnorm: step time against RMSNorm's in the same dtype, negative is faster; paper (LLaMA 7B): DyT -8.2%");
    out.println("vs float32: tokens/s against the same norm in float32 (wall, and CPU seconds of this process);"
        + " MFU of each dtype against its own matmul peak");
  }

  /** Wall and CPU seconds per step. */
  private static double[] time(ModelConfig model, TrainConfig train, int batch, int seqLen, int steps) {
    try (Llama llama = Llama.init(model, 1)) {
      var m = llama.parameters().manager();
      AdamW adam = new AdamW(llama.parameters(), train);
      Random r = new Random(1);
      long[] in = new long[batch * seqLen];
      long[] tg = new long[batch * seqLen];
      for (int i = 0; i < in.length; i++) {
        in[i] = r.nextInt(model.vocabSize());
        tg[i] = r.nextInt(model.vocabSize());
      }
      NDArray inputs = Tensors.of(m, in, new Shape(batch, seqLen));
      NDArray targets = Tensors.of(m, tg, new Shape(batch, seqLen));
      var params = llama.parameters().all().values();
      return Stopwatch.wallAndCpuSecondsPerRun(2, steps, () -> {
        try (NDScope s = new NDScope(); Autograd rec = Autograd.record()) {
          Autograd.backward(llama.loss(inputs, targets));
        }
        GradientClipping.clip(params, train.gradClip());
        adam.step(1e-4);
        params.forEach(Autograd::zeroGradient);
      });
    }
  }
}
