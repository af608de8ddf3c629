package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import dytrain.config.ModelConfig;

/**
 * Causal self-attention with grouped-query heads: {@code num_kv_heads} key/value heads, each shared by
 * {@code num_heads / num_kv_heads} query heads (query head h uses kv head h / group, as in HF repeat_kv).
 * Queries are viewed as [B, kv, group, T, d] so keys broadcast instead of being copied.
 */
final class Attention {

  private final NDArray wq;
  private final NDArray wk;
  private final NDArray wv;
  private final NDArray wo;
  private final int heads;
  private final int kvHeads;
  private final int headDim;

  Attention(ModelConfig model, String prefix, Parameters params) {
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

  /** x [B, T, d] -> [B, T, d]; {@code causalMask} [T, T] holds 0 on and below the diagonal, -inf above. */
  NDArray forward(NDArray x, Rope rope, NDArray causalMask) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    int group = heads / kvHeads;
    NDArray q = rope.apply(split(Linear.linear(x, wq).singletonOrThrow(), heads));
    NDArray k = rope.apply(split(Linear.linear(x, wk).singletonOrThrow(), kvHeads));
    NDArray v = split(Linear.linear(x, wv).singletonOrThrow(), kvHeads);
    q = q.reshape(b, kvHeads, group, t, headDim);
    k = k.expandDims(2);
    v = v.expandDims(2);
    NDArray scores = q.matMul(k.swapAxes(-1, -2)).mul(Tensors.scalar(q, 1.0 / Math.sqrt(headDim))).add(causalMask);
    NDArray y = scores.softmax(-1).matMul(v); // [B, kv, group, T, d]
    y = y.reshape(b, heads, t, headDim).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * headDim);
    return Linear.linear(y, wo).singletonOrThrow();
  }

  /** [B, T, n*d] -> [B, n, T, d]. */
  private NDArray split(NDArray x, int n) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    return x.reshape(b, t, n, headDim).transpose(0, 2, 1, 3);
  }
}
