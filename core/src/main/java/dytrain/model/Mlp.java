package dytrain.model;

import ai.djl.ndarray.NDArray;
import dytrain.config.ModelConfig;

/** SwiGLU feed-forward: {@code down(silu(gate(x)) * up(x))} (LLaMA; Shazeer 2020). */
final class Mlp {

  private final NDArray gate;
  private final NDArray up;
  private final NDArray down;
  private final Kernels kernels;

  Mlp(ModelConfig model, String prefix, Parameters params, Kernels kernels) {
    this.kernels = kernels;
    int d = model.hiddenSize();
    int f = model.intermediateSize();
    double std = model.initStd();
    gate = params.normal(prefix + ".gate_proj.weight", std, f, d);
    up = params.normal(prefix + ".up_proj.weight", std, f, d);
    down = params.normal(prefix + ".down_proj.weight", std, d, f);
  }

  NDArray forward(NDArray x) {
    return kernels.swiGlu(x, gate, up, down);
  }
}
