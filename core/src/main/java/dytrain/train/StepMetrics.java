package dytrain.train;

/**
 * One optimizer step as the metrics log and the progress bar see it. Times are seconds of this step:
 * waiting for data, forward+backward, gradient communication, and clipping + optimizer update.
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
    boolean skipped) {

  public static final String CSV_HEADER =
      "step,loss,grad_norm,lr,tokens,tokens_per_s,mfu,data_ms,compute_ms,allreduce_ms,optimizer_ms,skipped";

  public String csv() {
    return String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6e,%d,%.1f,%.4f,%.2f,%.2f,%.2f,%.2f,%d",
        step, loss, gradNorm, lr, tokens, tokensPerSecond, mfu, dataSeconds * 1e3, computeSeconds * 1e3,
        communicationSeconds * 1e3, optimizerSeconds * 1e3, skipped ? 1 : 0);
  }
}
