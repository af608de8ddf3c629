package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import dytrain.config.DytrainException;

/**
 * The model's matmul-heavy ops, whose precision follows {@code model.dtype}: the attention sublayer, the
 * SwiGLU MLP and the LM head with its loss. Each is one TorchScript kernel ({@code kernels.torchscript},
 * a few lines each); the embedding, norms and the residual stream stay in Java, in fp32.
 *
 * <p>Every array Java sees is fp32. In bfloat16 each kernel casts its inputs to bf16 inside TorchScript
 * and returns fp32, as PyTorch's autocast does around each op: DJL aborts the JVM on a bf16 array, so none
 * may ever reach Java. The casts keep the graph, so gradients arrive in fp32 on the fp32 master weights,
 * and the optimizer, clipping and the all-reduce never see another dtype. Softmax statistics (attention,
 * loss) accumulate in fp32. A kernel is one TorchScript call (about 30 us) instead of one cast around
 * each matmul: between the matmuls of a kernel the activations stay bf16.
 */
public final class Kernels implements AutoCloseable {

  private final String suffix;
  private final KernelScript script;

  private Kernels(String suffix, KernelScript script) {
    this.suffix = suffix;
    this.script = script;
  }

  /** Kernels for {@code model.dtype} on the device of {@code manager}, where the parameters live. */
  public static Kernels load(String dtype, NDManager manager) {
    String suffix = switch (dtype) {
      case "float32" -> "";
      case "bfloat16" -> "_bf16";
      default -> throw new DytrainException("model.dtype = '" + dtype + "' has no kernels; allowed: float32, bfloat16");
    };
    return new Kernels(suffix, KernelScript.load(manager));
  }

  /** x [..., in] times w [out, in] transposed: [..., out]. */
  public NDArray linear(NDArray x, NDArray w) {
    // fp32 stays on DJL's own linear: one JNI call, no TorchScript dispatch
    return suffix.isEmpty() ? Linear.linear(x, w).singletonOrThrow() : script.call("linear_bf16", x, w);
  }

  /**
   * softmax(q k^T / sqrt(d) + causal mask) v as one fused kernel (torch's scaled_dot_product_attention):
   * q [B, H, T, d], k and v [B, KV, T, d] with KV dividing H (grouped-query heads), result [B, H, T, d].
   * The [T, T] score matrix is never materialised.
   */
  public NDArray causalAttention(NDArray q, NDArray k, NDArray v) {
    return script.call("attention" + suffix, q, k, v);
  }

  /**
   * The attention sublayer, x [B, T, d] -> [B, T, d]: q, k, v projections split into heads (their count
   * follows from the weights' rows and the head size of the RoPE tables), RoPE on q and k (HF rotate_half:
   * {@code x cos + rotate_half(x) sin}), {@link #causalAttention}, merged heads, output projection.
   */
  public NDArray selfAttention(NDArray x, NDArray wq, NDArray wk, NDArray wv, NDArray wo, NDArray cos, NDArray sin) {
    return script.call("self_attention" + suffix, x, wq, wk, wv, wo, cos, sin);
  }

  /** SwiGLU, {@code down(silu(x gate^T) * (x up^T))}; its wide intermediate activations stay in the kernel. */
  public NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down) {
    return script.call("swiglu" + suffix, x, gate, up, down);
  }

  /**
   * Next-token NLL [B, T] of {@code targets} under logits {@code h w^T}: the head's matmul in the model's
   * dtype, log-softmax in fp32 (fused cross_entropy: no [B, T, vocab] log-probabilities kept).
   */
  public NDArray tokenNll(NDArray h, NDArray w, NDArray targets) {
    return script.call("token_nll" + suffix, h, w, targets);
  }

  /**
   * DyT, {@code w * tanh(alpha * x)}, x [..., d], alpha [1], w [d], as one kernel in this dtype (in
   * bfloat16 as the DyT paper runs it: tanh on a bf16 x). The model's norms stay in Java, in fp32; this and
   * {@link #rmsNorm} are the paper's 16-bit setting for the norm benchmark.
   */
  public NDArray dyt(NDArray x, NDArray alpha, NDArray w) {
    return script.call("dyt" + suffix, x, alpha, w);
  }

  /**
   * RMSNorm with eps 1e-5 (model.norm_eps's default), {@code x / sqrt(mean(x^2) + eps) * w}, as LLaMA's
   * reference code computes it in 16 bits: the bf16 x is upcast, normalised in fp32, cast back to bf16
   * and multiplied by the bf16 weight.
   */
  public NDArray rmsNorm(NDArray x, NDArray w) {
    return script.call("rmsnorm" + suffix, x, w);
  }

  @Override
  public void close() {
    script.close();
  }
}
