package dytrain.train;

import dytrain.config.TrainConfig;

/**
 * Learning rate by step: linear warmup from 0, then cosine decay to {@code min_lr_ratio * lr}
 * (nanoGPT/llm.c), or warmup-stable-decay: hold the peak, then decay linearly to the floor over the last
 * {@code decay_fraction} of the run (Hägele et al. 2024, "Scaling laws and compute-optimal training
 * beyond fixed training durations").
 */
public record LrSchedule(double peak, double floor, int warmup, int total, boolean wsd, double decayFraction) {

  public static LrSchedule of(TrainConfig t) {
    return new LrSchedule(t.lr(), t.lr() * t.minLrRatio(), t.warmupSteps(), t.steps(),
        t.schedule().equals("wsd"), t.decayFraction());
  }

  /** The rate used by the update of step {@code step} (0-based). */
  public double at(long step) {
    if (step < warmup) {
      return peak * (step + 1) / warmup;
    }
    if (wsd) {
      long decayStart = total - Math.round(decayFraction * total);
      if (step < decayStart) {
        return peak;
      }
      double progress = (double) (step - decayStart) / Math.max(1, total - decayStart);
      return peak + Math.min(1, progress) * (floor - peak);
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return floor + 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))) * (peak - floor);
  }
}
