package dytrain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dytrain.config.TrainConfig;
import dytrain.model.Autograd;
import dytrain.model.OptimizerKernels;
import dytrain.model.Parameters;
import dytrain.model.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter 2019): {@code p -= lr * wd * p} and then the
 * bias-corrected Adam step, as torch's fused kernel computes it ({@link OptimizerKernels}). Matrices are decayed; 1-D tensors (norm weights, alpha, shift, embed_scale)
 * only when {@code train.decay_1d} is on. State lives beside the parameters in their long-lived manager.
 */
public final class AdamW {

  private final Parameters params;
  private final TrainConfig config;
  private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
  private long updates;

  public AdamW(Parameters params, TrainConfig config) {
    this.params = params;
    this.config = config;
    NDManager m = params.manager();
    for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
      firstMoment.put(e.getKey(), m.zeros(e.getValue().getShape(), e.getValue().getDataType()));
      secondMoment.put(e.getKey(), m.zeros(e.getValue().getShape(), e.getValue().getDataType()));
    }
  }

  /** Whether weight decay applies to this tensor (ARCHITECTURE.md: 1-D tensors are a config switch, off by default). */
  public boolean decays(NDArray parameter) {
    return parameter.getShape().dimension() >= 2 || config.decay1d();
  }

  /** Applies one update from the parameters' accumulated gradients, in two fused calls: decayed and not. */
  public void step(double lr) {
    updates++;
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      for (boolean decayed : new boolean[] {true, false}) {
        List<NDArray> group = new ArrayList<>();
        List<NDArray> grads = new ArrayList<>();
        List<NDArray> m = new ArrayList<>();
        List<NDArray> v = new ArrayList<>();
        params.all().forEach((name, p) -> {
          if (decays(p) == decayed) {
            group.add(p);
            grads.add(p.getGradient());
            m.add(firstMoment.get(name));
            v.add(secondMoment.get(name));
          }
        });
        OptimizerKernels.adamw(group, grads, m, v, updates, lr, config.beta1(), config.beta2(),
            decayed ? config.weightDecay() : 0, config.eps());
      }
    }
  }

  public long updates() {
    return updates;
  }

  /** Moment tensors by name ("m." / "v." + parameter name), for checkpoints. */
  public Map<String, NDArray> state() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    firstMoment.forEach((k, a) -> out.put("m." + k, a));
    secondMoment.forEach((k, a) -> out.put("v." + k, a));
    return out;
  }

  /** Restores moments and the update count from a checkpoint. */
  public void load(Map<String, float[]> state, long updateCount) {
    try (Autograd off = Autograd.noGrad()) {
      state().forEach((name, array) -> {
        float[] values = state.get(name);
        if (values == null || values.length != array.getShape().size()) {
          throw new IllegalArgumentException("optimizer state " + name + " is missing or has the wrong size");
        }
        Tensors.copyInto(array, values);
      });
    }
    updates = updateCount;
  }
}
