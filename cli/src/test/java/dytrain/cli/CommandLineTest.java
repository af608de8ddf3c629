package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dytrain command line end to end in this JVM: exit codes, printed results and error messages. */
class CommandLineTest {

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Dytrain.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void everySubcommandPrintsItsUsageOnHelp() {
    for (String[] command : new String[][] {{"bench", "norms"}, {"prep"}, {"train"}, {"diagnose"}, {"shards", "inspect"}, {"tokenizer", "train"}}) {
      String[] args = Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";
      Run r = run(args);
      assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.out().contains("Usage: dytrain " + String.join(" ", command)), r.out());
    }
  }

  @Test
  void alpha0PrintsTheTableValue() {
    Run r = run("alpha0", "--width", "5120");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("attention 0.6, other 0.15"), r.out());
  }

  @Test
  void initThenScorePrintsOneJsonObject() throws Exception {
    Path model = dir.resolve("model");
    Run init = run("init", "--config", "../configs/tiny.yaml", "--set", "model.norm_type=dyt", "--set", "seed=7", "--out", model.toString());
    assertEquals(0, init.exit(), init.err());
    assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));
    Path tokens = dir.resolve("ids.txt");
    Files.writeString(tokens, "5 9 1,2\n60\n");
    Run score = run("score", "--model", model.toString(), "--tokens-file", tokens.toString());
    assertEquals(0, score.exit(), score.err());
    JsonNode json = new ObjectMapper().readTree(score.out());
    assertEquals(4, json.get("nll").size(), "one NLL per predicted position");
    double sum = 0;
    for (JsonNode v : json.get("nll")) {
      assertTrue(v.asDouble() > 0);
      sum += v.asDouble();
    }
    assertEquals(sum / 4, json.get("mean_nll").asDouble(), 1e-9);
  }

  @Test
  void configErrorsExitNonZeroWithOneMessageAndNoOutput() {
    Path out = dir.resolve("never");
    Run r = run("init", "--config", "../configs/tiny.yaml", "--set", "model.num_kv_heads=3", "--out", out.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("model.num_kv_heads = 3 must divide model.num_heads = 4"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace for a user error");
    assertFalse(Files.exists(out), "no partial output");
  }

  @Test
  void infoPrintsParameterCountsAndFlops() {
    Run r = run("info", "--config", "../configs/llama-7b.yaml");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("6,738,415,682 total"), r.out());
    assertTrue(r.out().contains("alpha0 attention=0.8 other=0.2 (policy)"), r.out());
  }

  @Test
  void unknownFlagIsAnError() {
    Run r = run("alpha0", "--width", "1024", "--wdith", "5");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--wdith"), r.err());
  }
}
