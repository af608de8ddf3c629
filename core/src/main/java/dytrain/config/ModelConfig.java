package dytrain.config;

import java.nio.file.Path;

/**
 * The shape of a LLaMA decoder and its norm variant, the {@code model:} section of a config.
 * Missing optional keys take LLaMA defaults; every inconsistency is reported with the key that causes it.
 *
 * @param alpha0Attention explicit alpha0 for the norm before attention; null means the width policy
 * @param alpha0Other explicit alpha0 for the norm before the MLP and the final norm; null means the policy
 * @param alpha0Table a YAML {@link Alpha0Table} replacing the width policy; read when the config is resolved,
 *     so the resolved config (stored with checkpoints, shipped to ranks) holds its values, not just its name
 * @param dtype what the matmuls and attention compute in: float32 or bfloat16 (weights, optimizer state,
 *     checkpoints and the all-reduce stay fp32 either way; see dytrain.model.Kernels)
 */
public record ModelConfig(
    Integer vocabSize,
    Integer hiddenSize,
    Integer intermediateSize,
    Integer numLayers,
    Integer numHeads,
    Integer numKvHeads,
    Integer maxSeqLen,
    Double ropeTheta,
    NormType normType,
    Boolean normBias,
    Double normEps,
    Boolean tieEmbeddings,
    Double alpha0Attention,
    Double alpha0Other,
    Double initStd,
    String dtype,
    String alpha0Table) {

  /** A model without an alpha0 table (the width policy or explicit values). */
  public ModelConfig(Integer vocabSize, Integer hiddenSize, Integer intermediateSize, Integer numLayers,
      Integer numHeads, Integer numKvHeads, Integer maxSeqLen, Double ropeTheta, NormType normType,
      Boolean normBias, Double normEps, Boolean tieEmbeddings, Double alpha0Attention, Double alpha0Other,
      Double initStd, String dtype) {
    this(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, maxSeqLen, ropeTheta, normType,
        normBias, normEps, tieEmbeddings, alpha0Attention, alpha0Other, initStd, dtype, null);
  }

  public ModelConfig {
    require("vocab_size", vocabSize);
    require("hidden_size", hiddenSize);
    require("num_layers", numLayers);
    require("num_heads", numHeads);
    require("max_seq_len", maxSeqLen);
    if (intermediateSize == null) {
      intermediateSize = llamaIntermediateSize(hiddenSize);
    }
    positive("intermediate_size", intermediateSize);
    if (numKvHeads == null) {
      numKvHeads = numHeads;
    }
    positive("num_kv_heads", numKvHeads);
    if (hiddenSize % numHeads != 0) {
      throw new DytrainException(
          "model.num_heads = " + numHeads + " must divide model.hidden_size = " + hiddenSize);
    }
    if (numHeads % numKvHeads != 0) {
      throw new DytrainException(
          "model.num_kv_heads = " + numKvHeads + " must divide model.num_heads = " + numHeads);
    }
    if ((hiddenSize / numHeads) % 2 != 0) {
      throw new DytrainException(
          "model.hidden_size / model.num_heads = " + hiddenSize / numHeads
              + " must be even (RoPE rotates pairs of channels)");
    }
    ropeTheta = ropeTheta == null ? 10000.0 : ropeTheta;
    positive("rope_theta", ropeTheta);
    normType = normType == null ? NormType.DYT : normType;
    normBias = normBias != null && normBias;
    normEps = normEps == null ? 1e-5 : normEps;
    positive("norm_eps", normEps);
    tieEmbeddings = tieEmbeddings != null && tieEmbeddings;
    if (alpha0Table != null && (alpha0Attention == null || alpha0Other == null)) {
      // Explicit values win; once both are filled (a resolved config read again) the file is not needed.
      Alpha0Table.Row row = Alpha0Table.read(Path.of(alpha0Table)).at(hiddenSize);
      alpha0Attention = alpha0Attention != null ? alpha0Attention : row.attention();
      alpha0Other = alpha0Other != null ? alpha0Other : row.other();
    }
    if (alpha0Attention != null) {
      positive("alpha0_attention", alpha0Attention);
    }
    if (alpha0Other != null) {
      positive("alpha0_other", alpha0Other);
    }
    initStd = initStd == null ? 0.02 : initStd;
    positive("init_std", initStd);
    dtype = dtype == null ? "float32" : dtype;
    switch (dtype) {
      case "float32", "bfloat16" -> {}
      case "float16" -> throw new DytrainException(
          "model.dtype = float16 is not supported: float16 training needs loss scaling, and this CPU has no"
              + " fast float16 matmul; allowed: float32, bfloat16 (same speed, fp32's range)");
      default -> throw new DytrainException(
          "model.dtype = '" + dtype + "' is not supported; allowed: float32, bfloat16");
    }
  }

  /**
   * The same model computing in another dtype: weights and checkpoints are fp32 in every dtype, so a run
   * may resume, or a trained model be evaluated, in either.
   */
  public ModelConfig withDtype(String newDtype) {
    return new ModelConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, maxSeqLen,
        ropeTheta, normType, normBias, normEps, tieEmbeddings, alpha0Attention, alpha0Other, initStd, newDtype);
  }

  public int headDim() {
    return hiddenSize / numHeads;
  }

  /** LLaMA's SwiGLU width: 2/3 of 4d, rounded up to a multiple of 256 (of 8 for tiny models). */
  public static int llamaIntermediateSize(int hidden) {
    int raw = 8 * hidden / 3;
    int multiple = hidden >= 1024 ? 256 : 8;
    return (raw + multiple - 1) / multiple * multiple;
  }

  private static void require(String key, Integer value) {
    if (value == null) {
      throw new DytrainException("model." + key + " is required (a positive integer)");
    }
    positive(key, value);
  }

  private static void positive(String key, Number value) {
    if (!(value.doubleValue() > 0)) {
      throw new DytrainException("model." + key + " = " + value + " must be positive");
    }
  }
}
