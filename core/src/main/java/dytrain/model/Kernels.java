package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import dytrain.config.DytrainException;

/**
 * The ops whose precision follows {@code model.dtype}: the matmuls of a linear layer, causal attention and
 * the LM head with its log-softmax. Everything else (embedding, norms, RoPE, SiLU, residual stream) runs in
 * fp32 in Java, and every array Java sees is fp32: in bfloat16 each kernel casts its inputs to bf16 inside
 * TorchScript and returns fp32, as PyTorch's autocast does around each op. DJL aborts the JVM on a bf16
 * array, so none ever reaches Java; the casts keep the graph, so gradients arrive in fp32 on the fp32
 * master weights and the optimizer, clipping and the all-reduce never see another dtype.
 */
public final class Kernels implements AutoCloseable {

  private final boolean bf16;
  private final KernelScript script;

  private Kernels(boolean bf16, KernelScript script) {
    this.bf16 = bf16;
    this.script = script;
  }

  /** Kernels for {@code model.dtype} on the device of {@code manager} (where the parameters live). */
  public static Kernels load(String dtype, NDManager manager) {
    boolean bf16 = switch (dtype) {
      case "float32" -> false;
      case "bfloat16" -> true;
      default -> throw new DytrainException("model.dtype = '" + dtype + "' has no kernels; allowed: float32, bfloat16");
    };
    return new Kernels(bf16, KernelScript.load(manager));
  }

  /** x [..., in] times w [out, in] transposed: [..., out]. */
  public NDArray linear(NDArray x, NDArray w) {
    // fp32 stays on DJL's own linear: one JNI call, no TorchScript dispatch
    return bf16 ? script.call("linear_bf16", x, w) : Linear.linear(x, w).singletonOrThrow();
  }

  /**
   * softmax(q k^T / sqrt(d) + causal mask) v in one fused kernel (torch's scaled_dot_product_attention):
   * q [B, H, T, d], k and v [B, KV, T, d] with KV dividing H (grouped-query heads), result [B, H, T, d].
   * The [T, T] score matrix is never materialised, softmax accumulates in fp32 even for bf16 inputs.
   */
  public NDArray causalAttention(NDArray q, NDArray k, NDArray v) {
    return script.call(bf16 ? "attention_bf16" : "attention", q, k, v);
  }

  /**
   * Next-token NLL [B, T] of {@code targets} under logits {@code h w^T}: the LM head matmul in the model's
   * dtype, log-softmax and the gather in fp32 (fused cross_entropy, no [B, T, vocab] log-prob tensor kept).
   */
  public NDArray tokenNll(NDArray h, NDArray w, NDArray targets) {
    return script.call(bf16 ? "token_nll_bf16" : "token_nll", h, w, targets);
  }

  @Override
  public void close() {
    script.close();
  }
}
