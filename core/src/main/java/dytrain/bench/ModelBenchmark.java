package dytrain.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dytrain.config.ModelConfig;
import dytrain.config.NormType;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import dytrain.model.ModelSize;
import java.io.PrintStream;
import java.util.Random;

/**
 * Whole-model forward and forward+backward time, RMSNorm vs DyT in the same run (DyT paper, table 7:
 * -7.8% / -8.2% at LLaMA 7B), with the achieved FLOP/s of each, in {@code model.dtype} (the paper's is bf16).
 */
public final class ModelBenchmark {
  private ModelBenchmark() {}

  public static void run(ModelConfig base, int batch, int seqLen, int runs, PrintStream out) {
    out.printf("model d=%d layers=%d heads=%d ffn=%d vocab=%d dtype=%s, batch %d x %d tokens, best of %d rounds of %d runs%n",
        base.hiddenSize(), base.numLayers(), base.numHeads(), base.intermediateSize(), base.vocabSize(), base.dtype(),
        batch, seqLen, Stopwatch.ROUNDS, runs);
    NormType[] types = {NormType.RMSNORM, NormType.DYT};
    double[][] times = new double[types.length][];
    for (int round = 0; round < Stopwatch.ROUNDS; round++) { // alternating, best round counts: see Stopwatch
      for (int i = 0; i < types.length; i++) {
        times[i] = Stopwatch.best(times[i], measure(withNorm(base, types[i]), batch, seqLen, runs));
      }
    }
    double flops = ModelSize.of(base).trainingFlopsPerToken(seqLen) * batch * seqLen;
    out.printf("%-8s %12s %9s %9s %14s %9s %9s%n", "norm", "forward ms", "vs rms", "GFLOP/s", "fwd+bwd ms", "vs rms", "GFLOP/s");
    for (int i = 0; i < types.length; i++) {
      out.printf("%-8s %12.1f %+8.1f%% %9.1f %14.1f %+8.1f%% %9.1f%n", types[i].key(),
          times[i][0] * 1e3, 100 * (times[i][0] / times[0][0] - 1), flops / 3 / times[i][0] / 1e9,
          times[i][1] * 1e3, 100 * (times[i][1] / times[0][1] - 1), flops / times[i][1] / 1e9);
    }
    out.println("vs rms: time against RMSNorm's, negative is faster; paper (LLaMA 7B, H100): DyT -7.8% forward, -8.2% forward+backward");
  }

  static ModelConfig withNorm(ModelConfig c, NormType type) {
    return with(c, type, c.dtype());
  }

  static ModelConfig with(ModelConfig c, NormType type, String dtype) {
    return new ModelConfig(c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(),
        c.numKvHeads(), c.maxSeqLen(), c.ropeTheta(), type, c.normBias(), c.normEps(), c.tieEmbeddings(),
        c.alpha0Attention(), c.alpha0Other(), c.initStd(), dtype);
  }

  private static double[] measure(ModelConfig config, int batch, int seqLen, int runs) {
    try (Llama model = Llama.init(config, 1)) {
      NDManager m = model.parameters().manager();
      Random r = new Random(1);
      long[] ids = new long[batch * (seqLen + 1)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = r.nextInt(config.vocabSize());
      }
      NDArray all = m.create(ids, new Shape(batch, seqLen + 1));
      NDArray inputs = all.get(":, :-1").duplicate();
      NDArray targets = all.get(":, 1:").duplicate();
      double forward = Stopwatch.secondsPerRun(2, runs, () -> {
        try (NDScope s = new NDScope(); Autograd off = Autograd.noGrad()) {
          model.loss(inputs, targets);
        }
      });
      double train = Stopwatch.secondsPerRun(2, runs, () -> {
        try (NDScope s = new NDScope(); Autograd rec = Autograd.record()) {
          Autograd.backward(model.loss(inputs, targets));
        }
      });
      return new double[] {forward, train};
    }
  }
}
