package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart's four stages end to end, shrunk: a small corpus, a 300-token BPE, a one-layer model. */
class QuickstartCommandTest {
  @Test
  void quickstartLearnsTokenizesTrainsAndReports(@TempDir Path dir) throws Exception {
    StringBuilder corpus = new StringBuilder();
    String[] words = {"the", "light", "was", "good", "and", "God", "divided", "darkness", "from", "waters", "said"};
    Random r = new Random(1);
    for (int doc = 0; doc < 120; doc++) {
      for (int w = 0; w < 60; w++) corpus.append(words[r.nextInt(words.length)]).append(w % 12 == 11 ? ".\n" : " ");
      corpus.append("\n\n");
    }
    Path text = dir.resolve("corpus.txt");
    Files.writeString(text, corpus);
    Path work = dir.resolve("qs");
    String[] quickstart = {"quickstart", "--config", "../configs/quickstart.yaml", "--corpus", text.toString(),
        "--work-dir", work.toString(), "--master", "local[1]",
        "--set", "model.vocab_size=300", "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64",
        "--set", "model.num_layers=1", "--set", "model.num_heads=2", "--set", "model.num_kv_heads=2",
        "--set", "model.max_seq_len=32", "--set", "train.seq_len=32", "--set", "train.micro_batch_size=4",
        "--set", "train.global_batch_tokens=128", "--set", "train.steps=30", "--set", "train.warmup_steps=3",
        "--set", "train.eval_every=15", "--set", "train.eval_batches=2", "--set", "train.checkpoint_every=15",
        "--set", "train.peak_flops=1e9"};
    var run = CommandLineTest.run(quickstart);
    assertEquals(0, run.exit(), run.err());
    String out = run.out();
    for (String stage : new String[] {"[1/4] learning a byte-level BPE vocabulary of 300", "[2/4] tokenizing", "[3/4] training",
        "[4/4] results", "sample: And God said", "loss plot: "}) {
      assertTrue(out.contains(stage), "missing '" + stage + "' in:\n" + out);
    }
    Matcher losses = Pattern.compile("validation loss: ([0-9.]+) before training, ([0-9.]+) after 30 steps").matcher(out);
    assertTrue(losses.find(), out);
    assertTrue(Double.parseDouble(losses.group(2)) < Double.parseDouble(losses.group(1)) - 0.5, losses.group());
    assertTrue(out.contains("unigram entropy of the training tokens"), out);
    assertTrue(Files.size(work.resolve("run/loss.png")) > 1000);
    assertTrue(Files.isRegularFile(work.resolve("model/model.safetensors")));

    var again = CommandLineTest.run(quickstart);
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains("[1/4] tokenizer") && again.out().contains("already learned"), again.out());
  }
}
