package dytrain.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dytrain.config.ModelConfig;
import dytrain.model.norm.Norm;
import java.util.ArrayList;
import java.util.List;

/**
 * The LLaMA decoder of ARCHITECTURE.md on one page: token embedding (times a learnable {@code embed_scale} for
 * dyt/derf), pre-norm {@link Block}s, a final norm and the LM head (tied to the embedding or not).
 * Tensors are named as in Hugging Face's LlamaForCausalLM so export is a rename-free write. The matmuls,
 * attention and the LM head run in {@code model.dtype} through {@link Kernels}; the weights stay fp32.
 */
public final class Llama implements AutoCloseable {

  private static final String FINAL_NORM = "model.norm";

  private final ModelConfig config;
  private final Alpha0Policy alpha0;
  private final Parameters params;
  private final Kernels kernels;
  private final NDArray embedding;
  private final NDArray embedScale;
  private final List<Block> blocks = new ArrayList<>();
  private final Norm finalNorm;
  private final NDArray lmHead;
  private final Rope rope;

  private Llama(ModelConfig config, Parameters params) {
    this.config = config;
    this.params = params;
    this.alpha0 = Alpha0Policy.of(config);
    this.kernels = Kernels.load(config.dtype(), params.manager());
    int d = config.hiddenSize();
    embedding = params.normal("model.embed_tokens.weight", config.initStd(), config.vocabSize(), d);
    // DyT paper, LLaMA appendix: without this scale the activations start too small and training stalls.
    embedScale = config.normType().isDynamic() ? params.constant("model.embed_scale", Math.sqrt(d), 1) : null;
    for (int layer = 0; layer < config.numLayers(); layer++) {
      blocks.add(new Block(config, layer, alpha0, params, kernels));
    }
    finalNorm = Norm.create(config, FINAL_NORM, alpha0.other(), params);
    lmHead = config.tieEmbeddings() ? embedding : params.normal("lm_head.weight", config.initStd(), config.vocabSize(), d);
    rope = new Rope(config.headDim(), config.maxSeqLen(), config.ropeTheta());
    params.checkAllClaimed();
  }

  /** A freshly initialised model (normal(0, init_std) matrices, norms at their identity-like init). */
  public static Llama init(ModelConfig config, long seed, Device device, DataType dtype) {
    return new Llama(config, Parameters.create(device, dtype, seed));
  }

  public static Llama init(ModelConfig config, long seed) {
    return init(config, seed, Device.cpu(), DataType.FLOAT32);
  }

  /** A model over loaded tensors; fails if a tensor is missing, extra, or of the wrong shape. */
  public static Llama of(ModelConfig config, Parameters loaded) {
    return new Llama(config, loaded);
  }

  /** Token ids [B, T] (int64) -> logits [B, T, vocab]. */
  public NDArray forward(NDArray tokens) {
    return forward(tokens, NormProbe.NONE);
  }

  /** The same, showing every norm layer's input and output to {@code probe} (dytrain.diagnose). */
  public NDArray forward(NDArray tokens, NormProbe probe) {
    return kernels.linear(hidden(tokens, probe), lmHead);
  }

  /** Next-token negative log-likelihood (natural log) at every position: [B, T] from inputs and targets. */
  public NDArray tokenNll(NDArray inputs, NDArray targets) {
    return kernels.tokenNll(hidden(inputs, NormProbe.NONE), lmHead, targets);
  }

  /** The mean next-token cross-entropy, the training loss. */
  public NDArray loss(NDArray inputs, NDArray targets) {
    return tokenNll(inputs, targets).mean();
  }

  /** Token ids [B, T] -> the final norm's output [B, T, d], what the LM head reads. */
  private NDArray hidden(NDArray tokens, NormProbe probe) {
    NDArray h = Embedding.embedding(tokens, embedding, SparseFormat.DENSE).singletonOrThrow();
    if (embedScale != null) {
      h = h.mul(embedScale);
    }
    NDArray[] ropeTables = rope.tables(tokens.getManager(), Math.toIntExact(tokens.getShape().get(1)));
    for (Block block : blocks) {
      h = block.forward(h, ropeTables, probe);
    }
    NDArray out = finalNorm.forward(h);
    probe.observe(FINAL_NORM, finalNorm, h, out);
    return out;
  }

  public ModelConfig config() {
    return config;
  }

  public Alpha0Policy alpha0() {
    return alpha0;
  }

  public Parameters parameters() {
    return params;
  }

  @Override
  public void close() {
    kernels.close();
    params.close();
  }
}
