package dytrain.model;

import ai.djl.ndarray.NDArray;
import dytrain.config.ModelConfig;

/**
 * Causal self-attention with grouped-query heads and RoPE: {@code num_kv_heads} key/value heads, each shared
 * by {@code num_heads / num_kv_heads} query heads (query head h uses kv head h / group, as in HF repeat_kv).
 * {@code o(softmax(rope(q) rope(k)^T / sqrt(d) + causal mask) v)} with {@code q, k, v = x W^T}, computed
 * by one kernel ({@link Kernels#selfAttention}) so that in bf16 nothing between the matmuls leaves bf16.
 */
final class Attention {

  private final NDArray wq;
  private final NDArray wk;
  private final NDArray wv;
  private final NDArray wo;
  private final Kernels kernels;

  Attention(ModelConfig model, String prefix, Parameters params, Kernels kernels) {
    this.kernels = kernels;
    int d = model.hiddenSize();
    long heads = (long) model.numHeads() * model.headDim();
    long kvHeads = (long) model.numKvHeads() * model.headDim();
    double std = model.initStd();
    wq = params.normal(prefix + ".q_proj.weight", std, heads, d);
    wk = params.normal(prefix + ".k_proj.weight", std, kvHeads, d);
    wv = params.normal(prefix + ".v_proj.weight", std, kvHeads, d);
    wo = params.normal(prefix + ".o_proj.weight", std, d, heads);
  }

  /** x [B, T, d] -> [B, T, d]; {@code rope} holds the cos and sin tables [T, head_dim] for positions 0..T-1. */
  NDArray forward(NDArray x, NDArray[] rope) {
    return kernels.selfAttention(x, wq, wk, wv, wo, rope[0], rope[1]);
  }
}
