package dytrain.cli;

import dytrain.train.StepMetrics;
import dytrain.train.Trainer;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The console view of a training run: one progress bar (step, loss, tokens/s, ETA) and a line per eval. The
 * bar appears with the first step trained, starting where that step stands, so a resumed run's ETA counts
 * only the steps it has left, and a run that fails at its start or has nothing left to train draws none.
 */
final class ConsoleProgress implements Trainer.Listener, AutoCloseable {

  private final String task;
  private final long steps;
  private final PrintStream out;
  private final PrintStream barStream;
  private ProgressBar bar; // the driver's metrics follower thread draws it too
  private boolean closed;
  private double lastVal = Double.NaN;

  ConsoleProgress(String task, long steps, PrintStream out) {
    this(task, steps, out, System.err);
  }

  /** {@code barStream}: where the bar is drawn (the terminal's stderr, so results on stdout stay clean). */
  ConsoleProgress(String task, long steps, PrintStream out, PrintStream barStream) {
    this.task = task;
    this.steps = steps;
    this.out = out;
    this.barStream = barStream;
  }

  @Override
  public synchronized void onStep(StepMetrics m) {
    if (closed) {
      return;
    }
    if (bar == null) {
      bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(steps)
          .startsFrom(m.step() + 1, Duration.ZERO) // the ETA comes from the steps after this one
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(500)
          .setConsumer(new ConsoleProgressBarConsumer(barStream, 110))
          .build();
    }
    bar.stepTo(m.step() + 1);
    bar.setExtraMessage(String.format(" loss %.3f%s | %,.0f tok/s | mfu %.0f%%%s",
        m.loss(), Double.isNaN(lastVal) ? "" : String.format(" val %.3f", lastVal), m.tokensPerSecond(),
        100 * m.mfu(), m.skipped() ? " | SKIPPED (NaN)" : ""));
  }

  @Override
  public synchronized void onEval(long step, double loss) {
    lastVal = loss;
    out.printf("%nstep %d: validation loss %.4f (perplexity %.2f)%n", step, loss, Math.exp(loss));
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (bar != null) {
      bar.close();
    }
  }
}
