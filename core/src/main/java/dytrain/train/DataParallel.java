package dytrain.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Map;

/**
 * A data-parallel strategy: how the ranks of a run agree on what they train. Synchronous all-reduce
 * averages every step's gradients; DiLoCo lets each rank take inner steps alone, then averages the
 * parameter change. The train loop calls {@link #start} once, then per step {@link #syncGradients},
 * {@link #onEveryRank} and {@link #afterUpdate}; a strategy keeps its own checkpoint state through
 * {@link #onCheckpoint} and {@link #onResume}. One process alone has nothing to agree with: {@link #SINGLE_PROCESS}.
 */
public interface DataParallel {

  /** Before the first step of an attempt, with the parameters every rank starts from. */
  default void start(Collection<NDArray> parameters) {}

  /** After backward: leaves in every parameter the gradient to apply; returns the step's loss to log. */
  double syncGradients(Collection<NDArray> parameters, double loss);

  /**
   * True when {@code mine} holds on every rank. Synchronous data parallelism needs no message: one
   * averaged gradient gives every rank the same NaN guard verdict.
   */
  default boolean onEveryRank(boolean mine) {
    return mine;
  }

  /** After every optimizer update; a low-communication strategy synchronises parameters here. */
  default void afterUpdate(long step, Collection<NDArray> parameters) {}

  /** Fails if parameters that the strategy keeps bitwise equal across ranks differ. */
  default void checkReplicas(long step, Collection<NDArray> parameters) {}

  /**
   * Called on every rank when the run checkpoints {@code step}, before rank 0 writes the checkpoint: saves
   * what is the rank's own, waits for the others if needed, and returns the state (by name) that rank 0
   * stores beside the optimizer's moments.
   */
  default Map<String, float[]> onCheckpoint(CheckpointStore store, int rank, long step, AdamW optimizer)
      throws IOException {
    return Map.of();
  }

  /** Called on every rank when a run resumes, after the optimizer took the checkpoint's (rank 0's) state. */
  default void onResume(CheckpointStore.Loaded checkpoint, CheckpointStore store, int rank, AdamW optimizer,
      PrintStream log) throws IOException {}

  /** Seconds spent communicating since the last call. */
  default double takeCommunicationSeconds() {
    return 0;
  }

  /** Tensor all-reduces run so far. */
  default long allReduces() {
    return 0;
  }

  DataParallel SINGLE_PROCESS = (parameters, loss) -> loss;
}
