package dytrain.collective;

import ai.djl.ndarray.NDArray;
import dytrain.config.DytrainException;
import java.util.Arrays;
import java.util.Collection;
import java.util.zip.CRC32C;

/**
 * Checks that every rank holds bitwise the same parameters: each hashes its own and the hashes are
 * all-gathered. Synchronous data parallelism must never diverge; if it does, training stops loudly.
 */
final class ReplicaCheck {
  private ReplicaCheck() {}

  static void require(RingAllReduce ring, long step, Collection<NDArray> parameters) {
    long[] all = ring.allGather(checksum(parameters));
    for (long c : all) {
      if (c != all[0]) {
        throw new DytrainException("replicas diverged at step " + step + ": parameter checksums by rank "
            + Arrays.toString(all) + "; the ranks no longer train the same model");
      }
    }
  }

  static long checksum(Collection<NDArray> parameters) {
    CRC32C crc = new CRC32C();
    for (NDArray p : parameters) {
      crc.update(p.toByteBuffer());
    }
    return crc.getValue();
  }
}
