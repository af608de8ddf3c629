package dytrain.train;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Everything besides tensors that a resumed run needs to continue exactly: the step, where the data
 * stands, the guard's counters, and (for provenance) the resolved config, alpha0 and tokenizer.
 *
 * @param step optimizer steps completed (the next update is number {@code step})
 * @param nextWindow index of the next window of the sample order (ARCHITECTURE.md: a pure function of the seed)
 * @param dataSeed the seed of the sample order; the only randomness in training (no dropout)
 * @param tokenizer the tokenizer spec ("gpt2", ...) or "tokenizer.json" for the file stored alongside
 */
public record TrainState(
    long step,
    long nextWindow,
    long dataSeed,
    long tokensSeen,
    long skippedUpdates,
    int consecutiveBadSteps,
    String tokenizer,
    JsonNode alpha0,
    JsonNode config) {}
