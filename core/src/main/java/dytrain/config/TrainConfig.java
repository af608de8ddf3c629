package dytrain.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The {@code train:} section: optimizer, schedule, batch, evaluation and checkpoint cadence.
 * Batch sizes are in sequences of {@code seq_len} tokens; {@code global_batch_tokens} is what one
 * optimizer step sees, reached by gradient accumulation (and, distributed, by the ranks together).
 */
public record TrainConfig(
    Integer steps,
    Integer seqLen,
    Integer microBatchSize,
    Integer globalBatchTokens,
    Double lr,
    Double minLrRatio,
    Integer warmupSteps,
    String schedule,
    Double decayFraction,
    Double weightDecay,
    @JsonProperty("decay_1d") Boolean decay1d, // snake case alone would give "decay1d"
    Double beta1,
    Double beta2,
    Double eps,
    Double gradClip,
    Integer evalEvery,
    Integer evalBatches,
    Integer checkpointEvery,
    Integer keepLast,
    Integer keepEvery,
    Integer maxBadSteps,
    Double peakFlops,
    List<Integer> checkpointAt,
    Double outlierZ) {

  public TrainConfig {
    steps = positive("steps", steps == null ? 1000 : steps);
    if (seqLen != null) {
      positive("seq_len", seqLen);
    }
    microBatchSize = positive("micro_batch_size", microBatchSize == null ? 8 : microBatchSize);
    if (globalBatchTokens != null) {
      positive("global_batch_tokens", globalBatchTokens);
    }
    lr = positive("lr", lr == null ? 1e-3 : lr);
    minLrRatio = minLrRatio == null ? 0.1 : minLrRatio;
    if (minLrRatio < 0 || minLrRatio > 1) {
      throw new DytrainException("train.min_lr_ratio = " + minLrRatio + " must lie in [0, 1]");
    }
    warmupSteps = warmupSteps == null ? Math.min(100, steps / 10) : warmupSteps;
    if (warmupSteps < 0 || warmupSteps > steps) {
      throw new DytrainException("train.warmup_steps = " + warmupSteps + " must lie in [0, train.steps = " + steps + "]");
    }
    schedule = schedule == null ? "cosine" : schedule;
    if (!schedule.equals("cosine") && !schedule.equals("wsd")) {
      throw new DytrainException("train.schedule = '" + schedule + "' is unknown; allowed: cosine, wsd");
    }
    decayFraction = decayFraction == null ? 0.2 : decayFraction;
    if (decayFraction <= 0 || decayFraction > 1) {
      throw new DytrainException("train.decay_fraction = " + decayFraction + " must lie in (0, 1]");
    }
    weightDecay = weightDecay == null ? 0.1 : weightDecay;
    if (weightDecay < 0) {
      throw new DytrainException("train.weight_decay = " + weightDecay + " must not be negative");
    }
    decay1d = decay1d != null && decay1d;
    beta1 = beta1 == null ? 0.9 : beta1;
    beta2 = beta2 == null ? 0.95 : beta2;
    for (double b : new double[] {beta1, beta2}) {
      if (b < 0 || b >= 1) {
        throw new DytrainException("train.beta1 / train.beta2 = " + b + " must lie in [0, 1)");
      }
    }
    eps = positive("eps", eps == null ? 1e-8 : eps);
    gradClip = gradClip == null ? 1.0 : gradClip;
    if (gradClip < 0) {
      throw new DytrainException("train.grad_clip = " + gradClip + " must be >= 0 (0 turns clipping off)");
    }
    evalEvery = positive("eval_every", evalEvery == null ? 100 : evalEvery);
    evalBatches = positive("eval_batches", evalBatches == null ? 8 : evalBatches);
    checkpointEvery = positive("checkpoint_every", checkpointEvery == null ? 100 : checkpointEvery);
    keepLast = positive("keep_last", keepLast == null ? 3 : keepLast);
    keepEvery = keepEvery == null ? 0 : keepEvery;
    maxBadSteps = positive("max_bad_steps", maxBadSteps == null ? 5 : maxBadSteps);
    if (peakFlops != null) {
      positive("peak_flops", peakFlops);
    }
    // a sweep's cooldown branches start from these steps of their trunk (CooldownPlan.forkSteps)
    checkpointAt = checkpointAt == null ? List.of() : List.copyOf(checkpointAt);
    checkpointAt.forEach(s -> positive("checkpoint_at", s));
    if (outlierZ != null) { // null: no outlier guard (OutlierDetector)
      positive("outlier_z", outlierZ);
    }
  }

  /** Defaults for everything: a config file need not have a train section to be initialised or scored. */
  public static TrainConfig defaults() {
    return new TrainConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null);
  }

  private static <T extends Number> T positive(String key, T value) {
    if (!(value.doubleValue() > 0)) {
      throw new DytrainException("train." + key + " = " + value + " must be positive");
    }
    return value;
  }
}
