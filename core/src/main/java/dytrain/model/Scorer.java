package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dytrain.config.DytrainException;

/** Next-token log-likelihoods of one token sequence under a model, in fp32, with no graph built. */
public final class Scorer {
  private Scorer() {}

  /** NLL (natural log) of tokens[1..n-1], each given the tokens before it. */
  public static double[] tokenNll(Llama model, int[] tokens) {
    int maxLen = model.config().maxSeqLen();
    if (tokens.length < 2) {
      throw new DytrainException("scoring needs at least 2 tokens, got " + tokens.length);
    }
    if (tokens.length - 1 > maxLen) {
      throw new DytrainException(
          "scoring " + tokens.length + " tokens needs model.max_seq_len >= " + (tokens.length - 1) + ", the model has " + maxLen);
    }
    long[] in = new long[tokens.length - 1];
    long[] tg = new long[tokens.length - 1];
    for (int i = 0; i < in.length; i++) {
      in[i] = tokens[i];
      tg[i] = tokens[i + 1];
    }
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      NDManager m = model.parameters().manager();
      NDArray nll = model.tokenNll(Tensors.of(m, in, new Shape(1, in.length)), Tensors.of(m, tg, new Shape(1, tg.length)));
      float[] values = nll.toFloatArray();
      double[] out = new double[values.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = values[i];
      }
      return out;
    }
  }
}
