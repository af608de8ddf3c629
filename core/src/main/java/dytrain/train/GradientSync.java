package dytrain.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;
import java.util.Map;

/**
 * How the ranks of a data-parallel run agree on one gradient. A single process has nothing to agree
 * with; the distributed trainer plugs in a ring all-reduce here, and the train loop stays the same.
 */
public interface GradientSync {

  /** Replaces every parameter's gradient by its mean over the ranks. */
  void averageGradients(Collection<NDArray> parameters);

  /** The mean of a scalar over the ranks (the loss, for logging). */
  double average(double value);

  /** Seconds spent communicating since the last call (0 for a single process). */
  default double takeCommunicationSeconds() {
    return 0;
  }

  /** Tensor all-reduces run so far (0 for a single process). */
  default long allReduces() {
    return 0;
  }

  /**
   * State the scheme carries from step to step (DiLoCo's outer momentum), by name; checkpoints save it
   * beside the optimizer's moments, identical on every rank.
   */
  default Map<String, float[]> checkpointState() {
    return Map.of();
  }

  /** Takes back what {@link #checkpointState} saved, from a checkpoint's optimizer state, before {@link #start}. */
  default void restore(Map<String, float[]> saved) {}

  /**
   * True when each rank's optimizer state is its own (DiLoCo's inner AdamW sees only the rank's gradients),
   * so every rank checkpoints it, not rank 0 alone.
   */
  default boolean perRankOptimizerState() {
    return false;
  }

  /** Returns once every rank has reached this call, or fails within the collective timeout. */
  default void barrier() {}

  /**
   * True when {@code mine} holds on every rank. Synchronous data parallelism needs no message: one
   * averaged gradient gives every rank the same NaN guard verdict. DiLoCo's ranks each judge their own.
   */
  default boolean onEveryRank(boolean mine) {
    return mine;
  }

  /** Called once before the first step of an attempt, with the parameters every rank starts from. */
  default void start(Collection<NDArray> parameters) {}

  /** Fails if the ranks' parameters differ (synchronous data parallelism keeps them bitwise equal). */
  default void checkReplicas(long step, Collection<NDArray> parameters) {}

  /**
   * Called after every optimizer update; a low-communication scheme (DiLoCo) synchronises parameters here
   * instead of gradients.
   */
  default void afterUpdate(long step, Collection<NDArray> parameters) {}

  GradientSync SINGLE_PROCESS = new GradientSync() {
    @Override
    public void averageGradients(Collection<NDArray> parameters) {}

    @Override
    public double average(double value) {
      return value;
    }
  };
}
