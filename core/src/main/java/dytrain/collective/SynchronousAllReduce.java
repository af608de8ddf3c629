package dytrain.collective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dytrain.model.Autograd;
import dytrain.train.DataParallel;
import java.util.Collection;

/**
 * Synchronous data parallelism: every step, all gradients are flattened into one array and averaged with
 * the ring all-reduce in buckets of {@code bucketFloats}, so every rank applies the same update.
 */
public final class SynchronousAllReduce implements DataParallel {

  private final RingAllReduce ring;
  private final int bucketFloats;
  private final AllReduceTally tally = new AllReduceTally();

  public SynchronousAllReduce(RingAllReduce ring, int bucketFloats) {
    this.ring = ring;
    this.bucketFloats = bucketFloats;
  }

  @Override
  public double syncGradients(Collection<NDArray> parameters, double loss) {
    long start = System.nanoTime();
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      ParameterVector.Flat flat = ParameterVector.gradients(parameters);
      for (var chunk : flat.chunks()) {
        ring.allReduceMean(chunk, bucketFloats);
      }
      flat.writeBackGradients(parameters);
    }
    tally.record(start);
    long[] all = ring.allGather(Double.doubleToLongBits(loss));
    double sum = 0;
    for (long bits : all) { // the same order on every rank: the same sum
      sum += Double.longBitsToDouble(bits);
    }
    return sum / all.length;
  }

  @Override
  public double takeCommunicationSeconds() {
    return tally.takeSeconds();
  }

  @Override
  public void checkReplicas(long step, Collection<NDArray> parameters) {
    ReplicaCheck.require(ring, step, parameters);
  }

  @Override
  public long allReduces() {
    return tally.count();
  }
}
