package dytrain.collective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dytrain.model.Autograd;
import dytrain.train.AdamW;
import dytrain.train.CheckpointStore;
import dytrain.train.DataParallel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.Collection;
import java.util.Map;

/**
 * DiLoCo (Douillard et al. 2023, "DiLoCo: Distributed Low-Communication Training of Language Models"):
 * each rank takes {@code innerSteps} local AdamW steps on its own data without communicating; then the
 * ranks average their parameter change (the outer gradient, {@code start - local}) and apply it with
 * Nesterov momentum SGD to the shared start point. All-reduces drop by a factor of {@code innerSteps}.
 *
 * <p>Checkpoints (always on an outer step, where all ranks hold the same parameters) save the outer
 * momentum with rank 0's optimizer state; each rank's inner AdamW moments are its own, so every rank saves
 * those (see {@link CheckpointStore#saveRankOptimizer}) and a resumed run ends where an uninterrupted one does.
 */
public final class DiLoCo implements DataParallel {

  /** The outer Nesterov momentum's name in a checkpoint's optimizer state. */
  static final String VELOCITY = "diloco.velocity";

  private final RingAllReduce ring;
  private final int bucketFloats;
  private final int innerSteps;
  private final double outerLr;
  private final double momentum;
  private float[] start;
  private float[] velocity;
  /** The outer momentum a resumed run takes back from its checkpoint, until {@link #start} adopts it. */
  private float[] restoredVelocity;
  private final AllReduceTally tally = new AllReduceTally();

  public DiLoCo(RingAllReduce ring, int bucketFloats, int innerSteps, double outerLr, double momentum) {
    this.ring = ring;
    this.bucketFloats = bucketFloats;
    this.innerSteps = innerSteps;
    this.outerLr = outerLr;
    this.momentum = momentum;
  }

  /**
   * Inner steps use the rank's own gradient, and the logged loss is the rank's own: averaging it would cost
   * a collective every inner step.
   */
  @Override
  public double syncGradients(Collection<NDArray> parameters, double loss) {
    return loss;
  }

  /**
   * The shared point the first outer step starts from: the identical initial parameters, or a resumed
   * checkpoint, which lies on an outer step (checkpoint_every is a multiple of inner_steps).
   */
  @Override
  public void start(Collection<NDArray> parameters) {
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      ParameterVector.Flat values = ParameterVector.values(parameters);
      start = new float[values.offsets()[values.offsets().length - 1]];
      int at = 0;
      for (var chunk : values.chunks()) {
        FloatBuffer floats = chunk.asFloatBuffer();
        floats.get(0, start, at, floats.limit());
        at += floats.limit();
      }
      velocity = restoredVelocity != null ? restoredVelocity : new float[start.length];
      if (velocity.length != start.length) {
        throw new IllegalStateException("the checkpoint's " + VELOCITY + " holds " + velocity.length
            + " values for " + start.length + " parameters");
      }
      restoredVelocity = null;
    }
  }

  /**
   * Each rank's inner AdamW moments are its own: ranks other than 0 save theirs, then all wait (longer than
   * a collective: the others may be writing gigabytes to an object store) before rank 0 publishes the step
   * with the outer momentum.
   */
  @Override
  public Map<String, float[]> onCheckpoint(CheckpointStore store, int rank, long step, AdamW optimizer)
      throws IOException {
    if (rank > 0) {
      store.saveRankOptimizer(rank, step, optimizer);
    }
    ring.allGather(0, ring.timeout().multipliedBy(10));
    return velocity == null ? Map.of() : Map.of(VELOCITY, velocity.clone());
  }

  /** The outer momentum from rank 0's checkpoint, and this rank's own inner moments when it saved them. */
  @Override
  public void onResume(CheckpointStore.Loaded checkpoint, CheckpointStore store, int rank, AdamW optimizer,
      PrintStream log) throws IOException {
    restoredVelocity = checkpoint.optimizerState().get(VELOCITY);
    long step = checkpoint.state().step();
    if (rank > 0) {
      var own = store.loadRankOptimizer(rank, step);
      if (own.isPresent()) {
        optimizer.load(own.get().state(), own.get().updates());
      } else {
        log.printf("rank %d: no optimizer state of its own at step %d; continuing from rank 0's%n", rank, step);
      }
    }
  }

  @Override
  public boolean onEveryRank(boolean mine) {
    for (long vote : ring.allGather(mine ? 1 : 0)) {
      if (vote == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void afterUpdate(long step, Collection<NDArray> parameters) {
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      if ((step + 1) % innerSteps != 0) {
        return;
      }
      long t0 = System.nanoTime();
      ParameterVector.Flat local = ParameterVector.values(parameters);
      int at = 0;
      for (var chunk : local.chunks()) {
        FloatBuffer delta = chunk.asFloatBuffer(); // floats [at, at + n) of the parameter vector
        int n = delta.limit();
        for (int i = 0; i < n; i++) {
          delta.put(i, start[at + i] - delta.get(i)); // outer gradient
        }
        ring.allReduceMean(chunk, bucketFloats);
        for (int i = 0; i < n; i++) { // Nesterov: v = mu v + g; x -= lr (mu v + g)
          velocity[at + i] = (float) (momentum * velocity[at + i] + delta.get(i));
          start[at + i] -= (float) (outerLr * (momentum * velocity[at + i] + delta.get(i)));
        }
        delta.put(0, start, at, n);
        at += n;
      }
      local.writeBackValues(parameters);
      tally.record(t0);
    }
  }

  @Override
  public double takeCommunicationSeconds() {
    return tally.takeSeconds();
  }

  @Override
  public void checkReplicas(long step, Collection<NDArray> parameters) {
    if ((step + 1) % innerSteps == 0) {
      ReplicaCheck.require(ring, step, parameters);
    }
  }

  @Override
  public long allReduces() {
    return tally.count();
  }
}
