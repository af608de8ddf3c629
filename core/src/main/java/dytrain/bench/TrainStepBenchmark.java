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
import java.io.PrintStream;
import java.util.Random;

/**
 * One whole training step (forward, backward, global clipping, AdamW) at a config's shape, rmsnorm and dyt
 * in the same run: tokens/s and MFU against the matmul peak measured in the same run.
 */
public final class TrainStepBenchmark {
  private TrainStepBenchmark() {}

  public static void run(DytrainConfig config, int steps, double peak, PrintStream out) {
    int batch = config.train().microBatchSize();
    int seqLen = config.seqLen();
    double flopsPerToken = ModelSize.of(config.model()).trainingFlopsPerToken(seqLen);
    out.printf("train step: d=%d layers=%d vocab=%d, micro-batch %d x %d tokens, best of %d rounds of %d steps; matmul peak %.1f GFLOP/s%n",
        config.model().hiddenSize(), config.model().numLayers(), config.model().vocabSize(), batch, seqLen, Stopwatch.ROUNDS, steps, peak / 1e9);
    NormType[] types = {NormType.RMSNORM, NormType.DYT};
    double[] seconds = {Double.MAX_VALUE, Double.MAX_VALUE};
    for (int round = 0; round < Stopwatch.ROUNDS; round++) { // alternating, best round counts: see Stopwatch
      for (int i = 0; i < 2; i++) {
        seconds[i] = Math.min(seconds[i], time(ModelBenchmark.withNorm(config.model(), types[i]), config.train(), batch, seqLen, steps));
      }
    }
    for (int i = 0; i < 2; i++) {
      double tokensPerSecond = batch * seqLen / seconds[i];
      out.printf("%-8s %8.1f ms/step %9.0f tokens/s  MFU %5.1f%%  vs rmsnorm %+5.1f%%%n", types[i].key(),
          seconds[i] * 1e3, tokensPerSecond, 100 * flopsPerToken * tokensPerSecond / peak,
          100 * (seconds[i] / seconds[0] - 1));
    }
    out.println("vs rmsnorm: step time against RMSNorm's, negative is faster; paper (LLaMA 7B): DyT -8.2%");
  }

  private static double time(ModelConfig model, TrainConfig train, int batch, int seqLen, int steps) {
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
      return Stopwatch.secondsPerRun(2, steps, () -> {
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
