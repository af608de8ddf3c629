package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  /** Not on a terminal (a log file, CI): plain lines, one per interval, never a '\r' redraw, and the last step. */
  @Test
  void offTerminalPrintsAPlainLinePerIntervalAndTheLastStep() {
    var log = new ByteArrayOutputStream();
    long[] now = {0};
    try (ConsoleProgress p = new ConsoleProgress("train", 100, System.out, new PrintStream(log, true, StandardCharsets.UTF_8),
        false, () -> now[0])) {
      for (long step = 0; step < 100; step++) {
        now[0] = step * 1_000_000_000L; // a step a second: a line every ten
        p.onStep(metrics(step, 2.0, false));
        if (step == 40) {
          p.onEval(41, 1.5);
        }
      }
    }
    String printed = log.toString(StandardCharsets.UTF_8);
    assertFalse(printed.contains("\r"), printed);
    String[] lines = printed.split("\n");
    assertEquals(11, lines.length, printed); // the first step, one per 10 s, the last
    assertTrue(lines[0].startsWith("train 1/100 | loss 2.000 | 12,345 tok/s | mfu 57%"), lines[0]);
    assertTrue(lines[1].startsWith("train 11/100 ") && lines[1].endsWith(" | ETA 0:01:29"), lines[1]);
    assertTrue(lines[5].contains("val 1.500"), lines[5]);
    assertEquals("train 100/100 | loss 2.000 val 1.500 | 12,345 tok/s | mfu 57%", lines[10]);
  }

  /** A run that stops between two lines still shows the last step it trained. */
  @Test
  void offTerminalShowsTheLastStepOfARunThatStopsEarly() {
    var log = new ByteArrayOutputStream();
    long[] now = {0};
    try (ConsoleProgress p = new ConsoleProgress("train", 100, System.out, new PrintStream(log, true, StandardCharsets.UTF_8),
        false, () -> now[0])) {
      for (long step = 20; step < 25; step++) {
        now[0] = step * 1_000_000_000L;
        p.onStep(metrics(step, 2.0, step == 24));
      }
    }
    String[] lines = log.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length, String.join("\n", lines));
    assertTrue(lines[0].startsWith("train 21/100 "), lines[0]);
    assertTrue(lines[1].startsWith("train 25/100 ") && lines[1].contains("SKIPPED (NaN)"), lines[1]);
  }

  private static StepMetrics metrics(long step, double loss, boolean skipped) {
    return new StepMetrics(step, loss, 1.0, 1e-3, 4096, 12345, 0.57, 0.001, 0.3, 0, 0.01, skipped, false);
  }
}
