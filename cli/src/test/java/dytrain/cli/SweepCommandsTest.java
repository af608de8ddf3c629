package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dytrain.config.Alpha0Table;
import dytrain.sweep.ParametricLaw;
import dytrain.sweep.ResultRow;
import dytrain.sweep.ResultsTable;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep report and sweep fit on results made up from a known law (sweep run is SweepRunnerTest's). */
class SweepCommandsTest {

  /** Chinchilla's law with E raised per norm, so the three norms' frontiers differ. */
  static double loss(String norm, double n, double d) {
    double offset = switch (norm) { case "rmsnorm" -> 0.0; case "dyt" -> 0.02; default -> 0.05; };
    return offset + ParametricLaw.CHINCHILLA.loss(n, d);
  }

  static ResultRow row(String trial, double n, double d, double loss, String... config) {
    var c = new TreeMap<String, String>();
    for (int i = 0; i < config.length; i += 2) c.put(config[i], config[i + 1]);
    return new ResultRow(trial, ResultRow.Status.DONE, "", (long) n, (long) (0.8 * n), (long) d, 6 * n * d, loss, loss,
        loss + 0.1, 1.0, c);
  }

  static void writeTable(Path dir, List<ResultRow> rows) throws Exception {
    Files.createDirectories(dir);
    ResultsTable.write(dir.toString(), new Configuration(), rows);
  }

  @Test
  void reportWritesMarkdownAndPlotsThatDecodeAtTheirSize(@TempDir Path dir) throws Exception {
    List<ResultRow> rows = new ArrayList<>();
    for (String norm : List.of("rmsnorm", "dyt", "derf")) {
      for (double n : new double[] {1e6, 2e6, 4e6, 8e6, 16e6}) {
        for (double d : new double[] {1e7, 2e7, 4e7, 8e7}) {
          rows.add(row(norm + n, n, d, loss(norm, n, d), "model.norm_type", norm));
        }
      }
    }
    writeTable(dir, rows);
    var run = CommandLineTest.run("sweep", "report", dir.toString(), "--bootstrap", "5");
    assertEquals(0, run.exit(), run.err());
    for (String name : List.of("loss_vs_compute", "isoflop_profiles", "isoflop_optima", "parametric_fit")) {
      BufferedImage png = ImageIO.read(dir.resolve(name + ".png").toFile());
      assertNotNull(png, name);
      assertEquals(SweepPlots.WIDTH, png.getWidth(), name);
      assertEquals(SweepPlots.HEIGHT, png.getHeight(), name);
    }
    String md = Files.readString(dir.resolve("REPORT.md"));
    for (String norm : List.of("rmsnorm", "dyt", "derf")) assertTrue(md.contains("| " + norm + " | 20 | "), md);
  }

  @Test
  void alpha0TableHoldsTheLowestLossPairOfEachWidth(@TempDir Path dir) throws Exception {
    List<ResultRow> rows = new ArrayList<>();
    double[][] best = {{64, 1.0, 4.0}, {128, 0.5, 2.0}, {256, 0.5, 1.0}};
    for (double[] b : best) {
      for (double att : new double[] {0.5, 1.0}) {
        for (double other : new double[] {1.0, 2.0, 4.0}) {
          double l = 3 + Math.abs(att - b[1]) + Math.abs(Math.log(other / b[2]));
          rows.add(row("w" + b[0] + "a" + att + "o" + other, 1e6 * b[0], 1e7, l, "model.norm_type", "dyt",
              "model.hidden_size", String.valueOf((int) b[0]), "model.alpha0_attention", String.valueOf(att),
              "model.alpha0_other", String.valueOf(other)));
        }
      }
    }
    writeTable(dir, rows);
    Path out = dir.resolve("alpha0.yaml");
    var run = CommandLineTest.run("sweep", "report", dir.toString(), "--bootstrap", "0", "--alpha0-table", out.toString());
    assertEquals(0, run.exit(), run.err());
    Alpha0Table table = Alpha0Table.read(out);
    for (double[] b : best) {
      var r = table.at((int) b[0]);
      assertEquals(b[1], r.attention());
      assertEquals(b[2], r.other());
      BufferedImage png = ImageIO.read(dir.resolve("alpha0_width_" + (int) b[0] + ".png").toFile());
      assertEquals(SweepPlots.WIDTH, png.getWidth());
    }
  }

  @Test
  void fitPrintsOneJsonObjectWithTheLawAndItsIntervals(@TempDir Path dir) throws Exception {
    StringBuilder csv = new StringBuilder("params,tokens,loss\n");
    for (double n : new double[] {1e7, 3e7, 1e8, 3e8}) {
      for (double d : new double[] {1e9, 3e9, 1e10, 3e10}) {
        csv.append(n).append(',').append(d).append(',').append(ParametricLaw.CHINCHILLA.loss(n, d)).append('\n');
      }
    }
    Path file = Files.writeString(dir.resolve("points.csv"), csv);
    var run = CommandLineTest.run("sweep", "fit", "--points", file.toString(), "--bootstrap", "8", "--start-grid", "coarse",
        "--huber-delta", "1e-3", "--seed", "3");
    assertEquals(0, run.exit(), run.err());
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertEquals(1.69, json.get("E").asDouble(), 0.02, run.out());
    assertEquals(0.34, json.get("alpha").asDouble(), 0.02, run.out());
    for (String k : List.of("E", "A", "B", "alpha", "beta")) assertEquals(2, json.get("intervals").get(k).size(), k);
    assertEquals(8, json.get("bootstrap").asInt());
  }

  @Test
  void sweepCommandsNameTheFlagTheyRefuse(@TempDir Path dir) {
    var fit = CommandLineTest.run("sweep", "fit", "--points", dir.resolve("none.csv").toString());
    assertEquals(2, fit.exit());
    assertTrue(fit.err().contains("--points " + dir.resolve("none.csv") + ": no such file"), fit.err());
    var grid = CommandLineTest.run("sweep", "fit", "--points", dir.toString(), "--start-grid", "fine");
    assertEquals(2, grid.exit());
    var run = CommandLineTest.run("sweep", "run", "--config", dir.resolve("none.yaml").toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--config"), run.err());
    var report = CommandLineTest.run("sweep", "report", dir.toString());
    assertEquals(2, report.exit());
    assertTrue(report.err().contains("results.csv"), report.err());
  }
}
