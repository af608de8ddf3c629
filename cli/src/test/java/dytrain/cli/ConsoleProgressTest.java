package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.train.StepMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  @Test
  void barShowsStepLossThroughputAndValidation() {
    var bar = new ByteArrayOutputStream();
    var out = new ByteArrayOutputStream();
    try (ConsoleProgress p = new ConsoleProgress("train", 10, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(bar, true, StandardCharsets.UTF_8))) {
      p.onStep(metrics(0, 4.25, false));
      p.onEval(1, 3.5);
      p.onStep(metrics(1, 3.125, true));
    }
    String drawn = bar.toString(StandardCharsets.UTF_8);
    assertTrue(drawn.contains("train") && drawn.contains("2/10"), drawn);
    assertTrue(drawn.contains("loss 3.125 val 3.500") && drawn.contains("12,345 tok/s") && drawn.contains("mfu 57%"), drawn);
    assertTrue(drawn.contains("SKIPPED (NaN)"), drawn);
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("step 1: validation loss 3.5000 (perplexity 33.12)"), printed);
  }

  /** A resumed run's bar starts at its step; a run that trains nothing draws no bar at all. */
  @Test
  void barStartsAtTheFirstStepTrainedAndOnlyThen() {
    var bar = new ByteArrayOutputStream();
    try (ConsoleProgress p = new ConsoleProgress("train", 10, System.out, new PrintStream(bar, true, StandardCharsets.UTF_8))) {
      // nothing trained
    }
    assertEquals("", bar.toString(StandardCharsets.UTF_8));
    try (ConsoleProgress p = new ConsoleProgress("train", 10, System.out, new PrintStream(bar, true, StandardCharsets.UTF_8))) {
      p.onStep(metrics(7, 2.0, false));
    }
    String drawn = bar.toString(StandardCharsets.UTF_8);
    assertTrue(drawn.contains("8/10") && !drawn.contains("0/10"), drawn);
  }

  private static StepMetrics metrics(long step, double loss, boolean skipped) {
    return new StepMetrics(step, loss, 1.0, 1e-3, 4096, 12345, 0.57, 0.001, 0.3, 0, 0.01, skipped);
  }
}
