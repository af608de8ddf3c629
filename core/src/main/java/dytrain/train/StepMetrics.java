package dytrain.train;

/**
 * One optimizer step as the metrics log and the progress bar see it. Times are seconds of this step:
 * waiting for data, forward+backward, gradient communication, and clipping + optimizer update. Its row in
 * metrics.csv is {@link MetricsCsv}'s.
 *
 * @param skipped no optimizer update: a NaN or infinite loss or gradient norm, or an outlier
 * @param outlier skipped by the outlier guard ({@code train.outlier_z}): a finite loss or norm spiked
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
    boolean skipped,
    boolean outlier) {}
