package dytrain.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import java.util.Collections;
import java.util.List;

/**
 * The optimizer's passes over all parameters, each one TorchScript call over lists of tensors: torch's fused
 * AdamW kernel (one read of p, g, m, v and one write of p, m, v per element, where separate ops made about
 * fourteen passes), and the global gradient norm and clipping as torch's foreach ops. Dtype-free, so one
 * module (it holds no tensors) serves every model and thread of the process.
 */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  /** Loaded on first use; never closed, like the engine itself. */
  private static final class Shared {
    static final KernelScript SCRIPT = KernelScript.load(NDManager.newBaseManager(Device.cpu()));
  }

  /**
   * One AdamW update of every tensor in {@code params} in place (PyTorch's {@code _fused_adamw_}): decoupled
   * decay {@code p -= lr * wd * p}, then the bias-corrected Adam step for update number {@code step}.
   */
  public static void adamw(List<NDArray> params, List<NDArray> grads, List<NDArray> firstMoments,
      List<NDArray> secondMoments, long step, double lr, double beta1, double beta2, double weightDecay, double eps) {
    if (params.isEmpty()) {
      return;
    }
    NDManager manager = params.get(0).getManager();
    try (NDArray stepTensor = manager.create((float) step);
        IValue p = list(params);
        IValue g = list(grads);
        IValue m = list(firstMoments);
        IValue v = list(secondMoments);
        // the kernel reads one step tensor per parameter; all share this one
        IValue steps = list(Collections.nCopies(params.size(), stepTensor));
        // every IValue is native memory that only close() frees: unclosed, these leaked about 190 bytes a step
        IValue lrValue = IValue.from(lr);
        IValue beta1Value = IValue.from(beta1);
        IValue beta2Value = IValue.from(beta2);
        IValue decayValue = IValue.from(weightDecay);
        IValue epsValue = IValue.from(eps);
        IValue result = Shared.SCRIPT.run("adamw_", p, g, m, v, steps, lrValue, beta1Value, beta2Value, decayValue,
            epsValue)) {
      result.toLong();
    }
  }

  /** sqrt of the sum of squares of every element of {@code grads}, accumulated in fp64. */
  public static double globalNorm(List<NDArray> grads) {
    try (IValue g = list(grads);
        IValue result = Shared.SCRIPT.run("global_norm", g);
        NDArray norm = result.toTensor((PtNDManager) grads.get(0).getManager())) {
      return norm.getDouble();
    }
  }

  /** Multiplies every tensor of {@code grads} by {@code factor} in place. */
  public static void scale(List<NDArray> grads, double factor) {
    try (IValue g = list(grads); IValue f = IValue.from(factor); IValue result = Shared.SCRIPT.run("scale_", g, f)) {
      result.toLong();
    }
  }

  private static IValue list(List<NDArray> arrays) {
    return IValue.listFrom(arrays.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new));
  }
}
