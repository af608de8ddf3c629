package dytrain.model;

import ai.djl.ndarray.NDArray;
import dytrain.config.ModelConfig;
import dytrain.model.norm.Norm;

/** One pre-norm decoder layer: {@code h + Attn(Norm_attn(h))}, then {@code h + MLP(Norm_ffn(h))}. */
final class Block {

  private final String attentionNormName;
  private final Norm attentionNorm;
  private final Attention attention;
  private final String mlpNormName;
  private final Norm mlpNorm;
  private final Mlp mlp;

  Block(ModelConfig model, int layer, Alpha0Policy alpha0, Parameters params, Kernels kernels) {
    String prefix = "model.layers." + layer;
    attentionNormName = prefix + ".input_layernorm";
    attentionNorm = Norm.create(model, attentionNormName, alpha0.attention(), params);
    attention = new Attention(model, prefix + ".self_attn", params, kernels);
    mlpNormName = prefix + ".post_attention_layernorm";
    mlpNorm = Norm.create(model, mlpNormName, alpha0.other(), params);
    mlp = new Mlp(model, prefix + ".mlp", params, kernels);
  }

  NDArray forward(NDArray h, NDArray[] rope, NormProbe probe) {
    NDArray x = attentionNorm.forward(h);
    probe.observe(attentionNormName, attentionNorm, h, x);
    h = h.add(attention.forward(x, rope));
    x = mlpNorm.forward(h);
    probe.observe(mlpNormName, mlpNorm, h, x);
    return h.add(mlp.forward(x));
  }
}
