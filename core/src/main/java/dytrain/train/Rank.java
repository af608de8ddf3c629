package dytrain.train;

import ai.djl.Device;

/** Where one rank stands in a data-parallel job, and how it agrees with the others; rank 0 of 1 alone. */
public record Rank(int rank, int worldSize, DataParallel parallel, Device device) {

  public static final Rank SINGLE = new Rank(0, 1, DataParallel.SINGLE_PROCESS, Device.cpu());

  /** Rank 0 writes the checkpoints, the run's metrics and the console lines. */
  public boolean writes() {
    return rank == 0;
  }
}
