package dytrain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dytrain.config.TrainConfig;
import dytrain.model.Autograd;
import dytrain.model.Parameters;
import dytrain.model.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter 2019): {@code p -= lr * wd * p} and then the
 * bias-corrected Adam step. Matrices are decayed; 1-D tensors (norm weights, alpha, shift, embed_scale)
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

  /** Applies one update from the parameters' accumulated gradients. */
  public void step(double lr) {
    updates++;
    double b1 = config.beta1();
    double b2 = config.beta2();
    double correction1 = 1 - Math.pow(b1, updates);
    double correction2 = 1 - Math.pow(b2, updates);
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
        NDArray p = e.getValue();
        NDArray g = p.getGradient();
        NDArray m = firstMoment.get(e.getKey());
        NDArray v = secondMoment.get(e.getKey());
        m.muli(b1).addi(g.mul(1 - b1));
        v.muli(b2).addi(g.square().muli(1 - b2));
        if (decays(p)) {
          p.muli(1 - lr * config.weightDecay());
        }
        NDArray denominator = v.div(correction2).sqrt().addi(config.eps());
        p.subi(m.mul(lr / correction1).divi(denominator));
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
