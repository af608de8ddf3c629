package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingPointsCsvTest {

  @Test
  void readsTheNamedColumnsInAnyOrderAmongOthers(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("runs.csv");
    Files.writeString(csv, "trial,loss,tokens,params\nt1,3.5,1e9,2.5e7\n\nt2,3.25,2000000000,50000000\n");
    List<ScalingPoint> points = ScalingPointsCsv.read(csv);
    assertEquals(List.of(new ScalingPoint(2.5e7, 1e9, 3.5), new ScalingPoint(5e7, 2e9, 3.25)), points);
  }

  @Test
  void errorsNameTheFileTheLineAndTheColumn(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("runs.csv");
    Files.writeString(csv, "params,tokens\n1,2\n");
    assertMentions(csv, "runs.csv line 1", "no column 'loss'");
    Files.writeString(csv, "params,tokens,loss\n1,2,3\n1,x,3\n");
    assertMentions(csv, "runs.csv line 3, column tokens", "'x' is not a number");
    Files.writeString(csv, "params,tokens,loss\n1,2,-3\n");
    assertMentions(csv, "runs.csv line 2, column loss", "must be positive");
    Files.writeString(csv, "params,tokens,loss\n1,2\n");
    assertMentions(csv, "runs.csv line 2", "2 cells, the header has 3");
  }

  @Test
  void fitsAFileOfChinchillaRuns(@TempDir Path dir) throws Exception {
    StringBuilder text = new StringBuilder("params,tokens,loss\n");
    for (ScalingPoint p : ParametricFitTest.chinchillaRuns(0.001, 5)) {
      text.append(p.params()).append(',').append(p.tokens()).append(',').append(p.loss()).append('\n');
    }
    Path csv = dir.resolve("runs.csv");
    Files.writeString(csv, text);
    // the wiring from file to fit, on a 4-start grid; ParametricFitTest covers the fit itself
    ParametricFit.StartGrid grid = new ParametricFit.StartGrid(List.of(5.0), List.of(5.0), List.of(0.5),
        List.of(0.3, 0.5), List.of(0.3, 0.5));
    ParametricEstimate fit = ScalingPointsCsv.fit(csv, ParametricFit.Options.defaults().withGrid(grid).withBootstrap(0));
    assertEquals(ParametricLaw.CHINCHILLA.alpha(), fit.law().alpha(), 0.02);
    assertEquals(ParametricLaw.CHINCHILLA.beta(), fit.law().beta(), 0.02);
  }

  private static void assertMentions(Path csv, String... parts) {
    String message = assertThrows(DytrainException.class, () -> ScalingPointsCsv.read(csv)).getMessage();
    for (String part : parts) assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
  }
}
