package dytrain.cli;

import static dytrain.cli.CommandMisuseTest.assertRefused;
import static dytrain.cli.CommandMisuseTest.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.export.CheckpointExport;
import dytrain.train.TinyDataset;
import dytrain.train.TrainingFixture;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** dytrain diagnose end to end on a tiny dyt run (checkpoints at steps 4, 8, 12), its export and fresh models. */
class DiagnoseCommandTest {
  @TempDir static Path dir;
  static Path data;
  static Path run;
  static Path export;

  @BeforeAll
  static void trainATinyDytRun() throws Exception {
    data = dir.resolve("data");
    TinyDataset.write(data, 64, 20, 2, 1);
    run = dir.resolve("run");
    TrainingFixture.train(TrainingFixture.config(data, "train.keep_last=5"), run, TrainingFixture.SILENT);
    export = dir.resolve("export");
    CheckpointExport.export(run.toString(), export.toString(), new Configuration());
  }

  @Test
  void aRunFolderGetsSCurvesStatisticsAndFigure8OverItsCheckpoints() throws Exception {
    Path out = dir.resolve("run-diagnosis");
    var r = CommandLineTest.run("diagnose", "--model", run.toString(), "--data", data.toString(), "--out", out.toString(),
        "--tokens", "128");
    assertEquals(0, r.exit(), r.err());

    assertEquals(List.of("SUMMARY.md", "alpha_over_steps.png", "alpha_vs_inverse_std.png", "s_curves.png"), names(out));
    assertPng(out.resolve("s_curves.png"), 3 * 400, 2 * 320); // five layers, three to a row
    assertPng(out.resolve("alpha_vs_inverse_std.png"), 700, 500);
    assertPng(out.resolve("alpha_over_steps.png"), 700, 500);
    String summary = Files.readString(out.resolve("SUMMARY.md"));
    assertTrue(summary.contains("| dyt | 2 layers x 32 | float32 | 3 checkpoints, steps 4 to 12 | 128 |"), summary);
    assertTrue(summary.contains("of split `val` of `" + data + "` in stored order (128 asked for"), summary);
    for (String layer : List.of("0.attention", "0.mlp", "1.attention", "1.mlp", "final")) {
      assertTrue(summary.contains("| " + layer + " | "), layer + " in " + summary);
    }
    for (String step : List.of("| 4 |", "| 8 |", "| 12 |")) {
      assertTrue(summary.contains(step), "Figure 8's numbers at " + step);
    }
    assertTrue(r.out().contains("final") && r.out().contains("wrote " + out), r.out());
    assertFalse(Files.exists(dir.resolve(".run-diagnosis.tmp")));
  }

  @Test
  void aCheckpointAndItsExportDrawTheSameFigures() throws Exception {
    Path fromCheckpoint = dir.resolve("from-checkpoint");
    Path fromExport = dir.resolve("from-export");
    assertEquals(0, diagnose(run.resolve("checkpoints/step-00000012"), fromCheckpoint).exit());
    assertEquals(0, diagnose(export, fromExport).exit());

    for (String png : List.of("s_curves.png", "alpha_vs_inverse_std.png")) {
      assertArrayEquals(Files.readAllBytes(fromCheckpoint.resolve(png)), Files.readAllBytes(fromExport.resolve(png)), png);
    }
    List<String> rows = statisticsRows(fromCheckpoint);
    assertEquals(5, rows.size(), rows.toString());
    assertEquals(rows, statisticsRows(fromExport));
    assertTrue(Files.readString(fromCheckpoint.resolve("SUMMARY.md")).contains("checkpoint at step 12"));
    assertTrue(Files.readString(fromExport.resolve("SUMMARY.md")).contains("| export |"));
    assertEquals(0, diagnose(export, fromExport).exit(), "an earlier diagnosis is replaced");
    assertEquals(List.of("SUMMARY.md", "alpha_vs_inverse_std.png", "s_curves.png"), names(fromExport));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rmsnorm", "layernorm", "dyt", "derf"})
  void everyNormTypeIsDrawnBesideTheDytRun(String norm) throws Exception {
    Path fresh = dir.resolve("fresh-" + norm);
    var init = CommandLineTest.run("init", "--config", "../configs/tiny.yaml", "--set", "model.norm_type=" + norm,
        "--set", "model.norm_bias=true", "--out", fresh.toString());
    assertEquals(0, init.exit(), init.err());
    Path out = dir.resolve("compare-" + norm);
    var r = CommandLineTest.run("diagnose", "--model", fresh.toString(), "--compare", export.toString(), "--data",
        data.toString(), "--out", out.toString(), "--layers", "1,final", "--tokens", "64");
    assertEquals(0, r.exit(), r.err());

    assertPng(out.resolve("s_curves.png"), 2 * 400, 3 * 320); // a row per layer, the two models side by side
    assertPng(out.resolve("alpha_vs_inverse_std.png"), 2 * 700, 500);
    String summary = Files.readString(out.resolve("SUMMARY.md"));
    assertTrue(summary.contains("### A: " + norm + "\n"), summary);
    assertTrue(summary.contains("### B: dyt\n"), summary);
    assertEquals(norm.equals("derf"), summary.contains("| shift |"), "a shift column for derf only");
    assertEquals(6, statisticsRows(out).size(), "three layers of each model");
  }

  @Test
  void modelsOfDifferentDepthsAreComparedOnTheLayersBothHave() throws Exception {
    Path deeper = dir.resolve("three-layers");
    assertEquals(0, CommandLineTest.run("init", "--config", "../configs/tiny.yaml", "--set", "model.num_layers=3",
        "--out", deeper.toString()).exit());
    Path out = dir.resolve("deeper");
    String[] args = {"diagnose", "--model", deeper.toString(), "--compare", export.toString(), "--data", data.toString(),
        "--out", out.toString(), "--tokens", "64"};
    var r = CommandLineTest.run(args);
    assertEquals(0, r.exit(), r.err());
    assertPng(out.resolve("s_curves.png"), 2 * 400, 5 * 320);
    assertRefused(concat(args, "--layers", "2"), "--layers 2: '2' is not a norm layer of this model", "(the model of --compare)");
  }

  @Test
  void badInputIsNamedAndLeavesNoFolder() throws Exception {
    Path out = dir.resolve("never");
    String[] ok = {"diagnose", "--model", export.toString(), "--data", data.toString(), "--out", out.toString()};
    assertRefused(with(ok, "--model", dir.resolve("nope").toString()), "--model " + dir.resolve("nope") + ": no such folder");
    assertRefused(concat(ok, "--compare", dir.resolve("nope").toString()), "--compare " + dir.resolve("nope") + ": no such folder");
    Files.createDirectories(dir.resolve("no-checkpoints/checkpoints"));
    assertRefused(with(ok, "--model", dir.resolve("no-checkpoints").toString()), "run folder without a complete checkpoint");
    assertRefused(with(ok, "--data", dir.resolve("no-data").toString()), "dataset folder " + dir.resolve("no-data"), "does not exist");
    assertRefused(concat(ok, "--layers", "0,bogus"), "--layers 0,bogus: 'bogus' is not a norm layer of this model",
        "0.attention, 0.mlp, 1.attention, 1.mlp, final");
    assertRefused(concat(ok, "--layers", "2"), "'2' is not a norm layer");
    assertRefused(concat(ok, "--tokens", "0"), "--tokens = 0 must be at least 1");
    assertRefused(concat(ok, "--split", "nosuch"), "no split 'nosuch'");
    Path file = Files.writeString(dir.resolve("a-file.txt"), "mine");
    assertRefused(with(ok, "--out", file.toString()), "--out " + file + " is a file");
    assertEquals("mine", Files.readString(file));
    assertRefused(with(ok, "--out", data.toString()), "--out " + data + " holds ", "not an earlier diagnosis");
    assertTrue(Files.exists(data.resolve("manifest.json")), "the dataset is untouched");
    assertRefused(with(ok, "--out", export.toString()), "not an earlier diagnosis");
    assertTrue(Files.exists(export.resolve("model.safetensors")), "the model is untouched");
    assertFalse(Files.exists(out), "no output folder");
    assertFalse(Files.exists(dir.resolve(".never.tmp")), "no temporary folder");
  }

  private static CommandLineTest.Run diagnose(Path model, Path out) {
    return CommandLineTest.run("diagnose", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
        "--tokens", "128");
  }

  /** The rows of the statistics tables (one per layer and model), without the headings that name the folders. */
  private static List<String> statisticsRows(Path out) throws Exception {
    return Files.readAllLines(out.resolve("SUMMARY.md")).stream()
        .filter(line -> line.matches("\\| (\\d+\\.(attention|mlp)|final) \\| .*")).toList();
  }

  private static void assertPng(Path png, int width, int height) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(width, image.getWidth(), png + " width");
    assertEquals(height, image.getHeight(), png + " height");
  }

  private static List<String> names(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** {@code args} with the value of {@code flag} replaced. */
  private static String[] with(String[] args, String flag, String value) {
    String[] out = args.clone();
    out[Arrays.asList(args).indexOf(flag) + 1] = value;
    return out;
  }
}
