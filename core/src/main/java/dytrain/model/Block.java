package dytrain.model;

import ai.djl.ndarray.NDArray;
import dytrain.config.ModelConfig;
import dytrain.model.norm.Norm;

/** One pre-norm decoder layer: {@code h + Attn(Norm_attn(h))}, then {@code h + MLP(Norm_ffn(h))}. */
final class Block {

  private final Norm attentionNorm;
  private final Attention attention;
  private final Norm mlpNorm;
  private final Mlp mlp;

  Block(ModelConfig model, int layer, Alpha0Policy alpha0, Parameters params, Kernels kernels) {
    String prefix = "model.layers." + layer;
    attentionNorm = Norm.create(model, prefix + ".input_layernorm", alpha0.attention(), params);
    attention = new Attention(model, prefix + ".self_attn", params, kernels);
    mlpNorm = Norm.create(model, prefix + ".post_attention_layernorm", alpha0.other(), params);
    mlp = new Mlp(model, prefix + ".mlp", params, kernels);
  }

  NDArray forward(NDArray h, NDArray[] rope) {
    h = h.add(attention.forward(attentionNorm.forward(h), rope));
    return h.add(mlp.forward(mlpNorm.forward(h)));
  }
}
