package dytrain.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Flags upward spikes of one training signal (the loss, or the gradient norm), as llm.c's outlier detector
 * does (llmc/outlier_detector.h): the z-score of a value against the last {@link #WINDOW} values before it.
 * Unlike llm.c the window excludes the value being judged, so a spike's z-score is not capped near
 * sqrt(WINDOW); and mean and std are recomputed from the window each time (128 values), so the verdicts
 * depend on the window's contents alone and a resumed run, given the window back, decides as before.
 */
public final class OutlierDetector {

  /** Values the z-score is taken against (llm.c's window). */
  public static final int WINDOW = 128;
  /** Values needed before any verdict: the first steps' statistics say nothing. */
  public static final int WARM_UP = 32;
  /** The outlier in a row that enters the window (llm.c): a genuine jump is absorbed instead of stalling the run. */
  static final int ADMITTED_IN_A_ROW = 3;

  /**
   * What a checkpoint keeps of a detector.
   *
   * @param values the window, oldest first
   * @param outliersInARow outliers just before the next value (0 after an ordinary value)
   */
  public record History(List<Double> values, int outliersInARow) {
    public static final History EMPTY = new History(List.of(), 0);

    public History {
      values = values == null ? List.of() : List.copyOf(values);
    }
  }

  private final double threshold;
  private final ArrayDeque<Double> window = new ArrayDeque<>(WINDOW);
  private int outliersInARow;

  /** A detector flagging z-scores above {@code threshold} (null: it only keeps its window), continuing {@code history}. */
  public OutlierDetector(Double threshold, History history) {
    this.threshold = threshold == null ? Double.POSITIVE_INFINITY : threshold;
    history.values().forEach(this::remember);
    this.outliersInARow = history.outliersInARow();
  }

  /**
   * The z-score of {@code x} against the window before it ((x - mean) / population std; 0 when the window
   * is flat), NaN during warm-up.
   */
  public double zScore(double x) {
    if (window.size() < WARM_UP) {
      return Double.NaN;
    }
    double sum = 0;
    for (double v : window) {
      sum += v;
    }
    double mean = sum / window.size();
    double squares = 0;
    for (double v : window) {
      squares += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(squares / window.size());
    return std == 0 ? 0 : (x - mean) / std;
  }

  /**
   * Judges {@code x} and moves the window on. Only upward spikes are outliers: a loss falling fast is
   * training going well. An outlier stays out of the window, so one spike does not blunt the detector for
   * the next 128 steps; the third in a row enters it, so a lasting jump is learnt within a few steps.
   */
  public boolean isOutlier(double x) {
    boolean outlier = zScore(x) > threshold; // false while the z-score is NaN
    outliersInARow = outlier ? outliersInARow + 1 : 0;
    if (!outlier || outliersInARow >= ADMITTED_IN_A_ROW) {
      remember(x);
    }
    return outlier;
  }

  public History history() {
    return new History(new ArrayList<>(window), outliersInARow);
  }

  private void remember(double x) {
    if (window.size() == WINDOW) {
      window.removeFirst();
    }
    window.addLast(x);
  }
}
