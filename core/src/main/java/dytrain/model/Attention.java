package dytrain.model;

import ai.djl.ndarray.NDArray;
import dytrain.config.ModelConfig;

/**
 * Causal self-attention with grouped-query heads: {@code num_kv_heads} key/value heads, each shared by
 * {@code num_heads / num_kv_heads} query heads (query head h uses kv head h / group, as in HF repeat_kv).
 * The attention itself is one fused kernel ({@link Kernels#causalAttention}).
 */
final class Attention {

  private final NDArray wq;
  private final NDArray wk;
  private final NDArray wv;
  private final NDArray wo;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final Kernels kernels;

  Attention(ModelConfig model, String prefix, Parameters params, Kernels kernels) {
    this.kernels = kernels;
    heads = model.numHeads();
    kvHeads = model.numKvHeads();
    headDim = model.headDim();
    int d = model.hiddenSize();
    double std = model.initStd();
    wq = params.normal(prefix + ".q_proj.weight", std, (long) heads * headDim, d);
    wk = params.normal(prefix + ".k_proj.weight", std, (long) kvHeads * headDim, d);
    wv = params.normal(prefix + ".v_proj.weight", std, (long) kvHeads * headDim, d);
    wo = params.normal(prefix + ".o_proj.weight", std, d, (long) heads * headDim);
  }

  /** x [B, T, d] -> [B, T, d]. */
  NDArray forward(NDArray x, Rope rope) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    NDArray q = rope.apply(split(kernels.linear(x, wq), heads));
    NDArray k = rope.apply(split(kernels.linear(x, wk), kvHeads));
    NDArray v = split(kernels.linear(x, wv), kvHeads);
    NDArray y = kernels.causalAttention(q, k, v); // [B, heads, T, d]
    return kernels.linear(y.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * headDim), wo);
  }

  /** [B, T, n*d] -> [B, n, T, d]. */
  private NDArray split(NDArray x, int n) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    return x.reshape(b, t, n, headDim).transpose(0, 2, 1, 3);
  }
}
