package dytrain.cli;

import dytrain.train.StepMetrics;
import dytrain.train.Trainer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The console view of a training run: one progress bar (step, loss, tokens/s, ETA) and a line per eval. The
 * bar appears with the first step trained, starting where that step stands, so a resumed run's ETA counts
 * only the steps it has left, and a run that fails at its start or has nothing left to train draws none.
 * When stderr is not a terminal (a Spark or YARN log, CI, a redirect to a file), carriage-return redraws
 * would pile up on one endless line, so the bar is replaced by a plain line at the first step trained,
 * every {@link #PLAIN_INTERVAL_NANOS} after that, and at the last step.
 */
final class ConsoleProgress implements Trainer.Listener, AutoCloseable {

  /** How often a plain progress line is printed when not on a terminal: every 10 seconds. */
  static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;

  private final String task;
  private final long steps;
  private final PrintStream out;
  private final PrintStream barStream;
  private final boolean terminal;
  private final LongSupplier nanoClock;
  private ProgressBar bar; // the driver's metrics follower thread draws it too
  private boolean closed;
  private double lastVal = Double.NaN;
  // plain lines (not a terminal): where the first step trained stood, and what is not printed yet
  private long firstStep = -1;
  private long firstNanos;
  private long lastLineNanos;
  private StepMetrics unprinted;

  ConsoleProgress(String task, long steps, PrintStream out) {
    this(task, steps, out, System.err, onTerminal(), System::nanoTime);
  }

  /** {@code barStream}: where the bar is drawn (the terminal's stderr, so results on stdout stay clean). */
  ConsoleProgress(String task, long steps, PrintStream out, PrintStream barStream) {
    this(task, steps, out, barStream, true, System::nanoTime);
  }

  /** {@code terminal}: draw the bar, else print plain lines, timed by {@code nanoClock}. */
  ConsoleProgress(String task, long steps, PrintStream out, PrintStream barStream, boolean terminal, LongSupplier nanoClock) {
    this.task = task;
    this.steps = steps;
    this.out = out;
    this.barStream = barStream;
    this.terminal = terminal;
    this.nanoClock = nanoClock;
  }

  /** Whether this JVM's output goes to an interactive terminal, where a redrawn bar makes sense. */
  static boolean onTerminal() {
    return System.console() != null;
  }

  /**
   * A plain counting bar on stderr (shards, merges): redrawn on a terminal, else a line every ten seconds
   * and at the end.
   */
  static ProgressBar bar(String task, long max) {
    ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max);
    if (!onTerminal()) {
      b.setConsumer(new DelegatingProgressBarConsumer(line -> System.err.println(line.strip()), 110))
          .setStyle(ProgressBarStyle.ASCII) // no colour escapes in a log
          .setUpdateIntervalMillis((int) (PLAIN_INTERVAL_NANOS / 1_000_000));
    }
    return b.build();
  }

  @Override
  public synchronized void onStep(StepMetrics m) {
    if (closed) {
      return;
    }
    if (!terminal) {
      plainLine(m);
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
    bar.setExtraMessage(" " + figures(m));
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
    if (unprinted != null) { // the run stopped between two lines: its last step still shows
      print(unprinted, nanoClock.getAsLong());
    }
  }

  /** The first step trained, then one line per interval, and the last step. */
  private void plainLine(StepMetrics m) {
    long now = nanoClock.getAsLong();
    if (firstStep < 0) {
      firstStep = m.step();
      firstNanos = now;
      print(m, now);
    } else if (now - lastLineNanos >= PLAIN_INTERVAL_NANOS || m.step() + 1 >= steps) {
      print(m, now);
    } else {
      unprinted = m;
    }
  }

  private void print(StepMetrics m, long now) {
    unprinted = null;
    lastLineNanos = now;
    long done = m.step() + 1;
    String eta = "";
    if (m.step() > firstStep && done < steps) { // the ETA comes from the steps after the first one
      double perStep = (now - firstNanos) / 1e9 / (m.step() - firstStep);
      eta = " | ETA " + clock((long) Math.ceil(perStep * (steps - done)));
    }
    barStream.printf("%s %d/%d | %s%s%n", task, done, steps, figures(m), eta);
  }

  private String figures(StepMetrics m) {
    return String.format("loss %.3f%s | %,.0f tok/s | mfu %.0f%%%s",
        m.loss(), Double.isNaN(lastVal) ? "" : String.format(" val %.3f", lastVal), m.tokensPerSecond(),
        100 * m.mfu(), m.outlier() ? " | SKIPPED (outlier)" : m.skipped() ? " | SKIPPED (NaN)" : "");
  }

  private static String clock(long seconds) {
    return String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
}
