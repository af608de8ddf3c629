package dytrain.model;

import dytrain.config.ModelConfig;

/**
 * Parameter and FLOP counts from the config alone, so a 70B shape can be checked without allocating it.
 * Training FLOPs per token follow PaLM (appendix B) and nanoGPT's estimate_mfu: 6 per matmul weight
 * (forward 2, backward 4) plus 12 * layers * width * seq_len for the attention scores and values.
 *
 * @param total every learnable scalar
 * @param embedding the token embedding plus an untied LM head
 * @param matmulWeights weights used in matrix multiplies (all linear layers and the LM head)
 */
public record ModelSize(long total, long embedding, long matmulWeights, ModelConfig config) {

  public static ModelSize of(ModelConfig c) {
    long d = c.hiddenSize();
    long v = c.vocabSize();
    long kv = (long) c.numKvHeads() * c.headDim();
    long attention = d * d + 2 * kv * d + d * d;
    long mlp = 3 * d * c.intermediateSize();
    long norms = (2L * c.numLayers() + 1) * normParameters(c);
    long embed = v * d;
    long head = c.tieEmbeddings() ? 0 : v * d;
    long scale = c.normType().isDynamic() ? 1 : 0;
    long layers = c.numLayers() * (attention + mlp);
    return new ModelSize(embed + head + layers + norms + scale, embed + head, layers + v * d, c);
  }

  private static long normParameters(ModelConfig c) {
    long d = c.hiddenSize();
    return switch (c.normType()) {
      case RMSNORM -> d;
      case LAYERNORM -> 2 * d;
      case DYT -> 1 + d + (c.normBias() ? d : 0);
      case DERF -> 2 + d + (c.normBias() ? d : 0);
    };
  }

  public long nonEmbedding() {
    return total - embedding;
  }

  /** Forward + backward FLOPs for one token in a sequence of {@code seqLen}. */
  public double trainingFlopsPerToken(int seqLen) {
    return 6.0 * matmulWeights + 12.0 * config.numLayers() * config.hiddenSize() * seqLen;
  }

  /** Forward-only FLOPs for one token: a third of training's. */
  public double forwardFlopsPerToken(int seqLen) {
    return trainingFlopsPerToken(seqLen) / 3;
  }
}
