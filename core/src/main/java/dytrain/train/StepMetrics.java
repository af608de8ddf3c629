package dytrain.train;

/**
 * One optimizer step as the metrics log and the progress bar see it. Times are seconds of this step:
 * waiting for data, forward+backward, gradient communication, and clipping + optimizer update. Its row in
 * metrics.csv is {@link MetricsCsv}'s.
 */
public record StepMetrics(
    long step,
    double loss,
    double gradNorm,
    double lr,
    long tokens,
    double tokensPerSecond,
    double mfu,
    double dataSeconds,
    double computeSeconds,
    double communicationSeconds,
    double optimizerSeconds,
    boolean skipped) {}
