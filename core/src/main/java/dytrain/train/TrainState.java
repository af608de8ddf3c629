package dytrain.train;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Everything besides tensors that a resumed run needs to continue exactly: the step, where the data
 * stands, the guards' counters and the outlier detectors' windows, and (for provenance) the resolved config,
 * alpha0 and tokenizer. A state.json older than a field reads it as 0 or empty.
 *
 * @param step optimizer steps completed (the next update is number {@code step})
 * @param nextWindow index of the next window of the sample order (ARCHITECTURE.md: a pure function of the seed)
 * @param dataSeed the seed of the sample order; the only randomness in training (no dropout)
 * @param skippedUpdates steps without an optimizer update, NaN and outlier steps alike (AdamW counts the rest)
 * @param outlierUpdates of those, the ones the outlier guard skipped ({@code train.outlier_z})
 * @param recentLosses the loss detector's window, so a resumed run judges as an uninterrupted one; kept with
 *     the guard off too, so a run resumed with it on starts warm ({@code recentGradNorms} likewise)
 * @param tokenizer the tokenizer spec ("gpt2", ...) or "tokenizer.json" for the file stored alongside
 */
public record TrainState(
    long step,
    long nextWindow,
    long dataSeed,
    long tokensSeen,
    long skippedUpdates,
    int consecutiveBadSteps,
    long outlierUpdates,
    OutlierDetector.History recentLosses,
    OutlierDetector.History recentGradNorms,
    String tokenizer,
    JsonNode alpha0,
    JsonNode config) {

  public TrainState {
    recentLosses = recentLosses == null ? OutlierDetector.History.EMPTY : recentLosses;
    recentGradNorms = recentGradNorms == null ? OutlierDetector.History.EMPTY : recentGradNorms;
  }
}
