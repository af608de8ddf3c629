package dytrain.config;

/**
 * The {@code distributed:} section: how many ranks, how they synchronise, and the bounds that turn a dead
 * peer into a failed step instead of a hang.
 *
 * @param sync "allreduce" (every step) or "diloco" (outer step every {@code innerSteps})
 * @param bucketMb gradient bucket size for the ring all-reduce
 * @param timeoutSeconds the longest any rank waits for a peer
 * @param maxAttempts how often the driver relaunches a failed job from the newest checkpoint
 * @param checksumEvery compare the ranks' parameter checksums every this many steps (0: never)
 */
public record DistributedConfig(
    Integer ranks,
    String sync,
    Double bucketMb,
    Integer timeoutSeconds,
    Integer maxAttempts,
    Integer checksumEvery,
    Integer innerSteps,
    Double outerLr,
    Double outerMomentum,
    Integer executorMemoryMb) {

  public DistributedConfig {
    ranks = ranks == null ? 1 : ranks;
    if (ranks < 1) {
      throw new DytrainException("distributed.ranks = " + ranks + " must be at least 1");
    }
    sync = sync == null ? "allreduce" : sync;
    if (!sync.equals("allreduce") && !sync.equals("diloco")) {
      throw new DytrainException("distributed.sync = '" + sync + "' is unknown; allowed: allreduce, diloco");
    }
    bucketMb = bucketMb == null ? 25.0 : bucketMb;
    if (!(bucketMb > 0)) {
      throw new DytrainException("distributed.bucket_mb = " + bucketMb + " must be positive");
    }
    timeoutSeconds = timeoutSeconds == null ? 120 : timeoutSeconds;
    if (timeoutSeconds < 1) {
      throw new DytrainException("distributed.timeout_seconds = " + timeoutSeconds + " must be at least 1");
    }
    maxAttempts = maxAttempts == null ? 3 : maxAttempts;
    if (maxAttempts < 1) {
      throw new DytrainException("distributed.max_attempts = " + maxAttempts + " must be at least 1");
    }
    checksumEvery = checksumEvery == null ? 50 : checksumEvery;
    if (checksumEvery < 0) {
      throw new DytrainException("distributed.checksum_every = " + checksumEvery + " must be >= 0 (0 turns it off)");
    }
    innerSteps = innerSteps == null ? 50 : innerSteps;
    if (innerSteps < 1) {
      throw new DytrainException("distributed.inner_steps = " + innerSteps + " must be at least 1");
    }
    outerLr = outerLr == null ? 0.7 : outerLr;
    outerMomentum = outerMomentum == null ? 0.9 : outerMomentum;
    if (!(outerLr > 0) || outerMomentum < 0 || outerMomentum >= 1) {
      throw new DytrainException("distributed.outer_lr must be positive and distributed.outer_momentum in [0, 1)");
    }
    executorMemoryMb = executorMemoryMb == null ? 3072 : executorMemoryMb;
  }

  public static DistributedConfig defaults() {
    return new DistributedConfig(null, null, null, null, null, null, null, null, null, null);
  }

  public int bucketFloats() {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, bucketMb * (1 << 20) / 4));
  }

  public boolean diloco() {
    return sync.equals("diloco");
  }
}
