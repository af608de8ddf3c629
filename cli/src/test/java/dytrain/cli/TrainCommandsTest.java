package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.train.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prep -> train -> export -> eval -> generate -> resume through the command line, on a tiny corpus. */
class TrainCommandsTest {

  @Test
  void aUserCanTrainExportEvaluateGenerateAndResume(@TempDir Path dir) throws Exception {
    Path corpus = dir.resolve("corpus.txt");
    StringBuilder text = new StringBuilder();
    for (int doc = 0; doc < 12; doc++) {
      text.append("In the beginning was the word, and the word was number ").append(doc).append(".\n\n");
    }
    Files.writeString(corpus, text);
    Path data = dir.resolve("data");
    var prep = CommandLineTest.run("prep", "--master", "local[2]", "--input", corpus.toString(), "--output",
        data.toString(), "--tokenizer", "byte", "--val-fraction", "0.3");
    assertEquals(0, prep.exit(), prep.err());

    Path run = dir.resolve("run");
    String[] train = {"train", "--config", "../configs/tiny.yaml", "--run-dir", run.toString(),
        "--set", "model.vocab_size=260", "--set", "data.dataset=" + data, "--set", "train.steps=4",
        "--set", "train.seq_len=16", "--set", "train.micro_batch_size=2", "--set", "train.warmup_steps=1",
        "--set", "train.checkpoint_every=2", "--set", "train.eval_every=2", "--set", "train.eval_batches=1",
        "--set", "train.peak_flops=1e9"};
    var trained = CommandLineTest.run(train);
    assertEquals(0, trained.exit(), trained.err());
    assertTrue(trained.out().contains("validation loss"), trained.out());
    assertEquals(5, Files.readAllLines(run.resolve(MetricsLog.TRAIN_FILE)).size(), "header + 4 steps");
    assertTrue(Files.size(run.resolve("loss.png")) > 1000, "a loss plot");

    Path model = dir.resolve("model");
    var exported = CommandLineTest.run("export", "--checkpoint", run.toString(), "--out", model.toString());
    assertEquals(0, exported.exit(), exported.err());
    assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));
    assertEquals("byte", Files.readString(model.resolve("tokenizer.txt")).trim());

    var eval = CommandLineTest.run("eval", "--model", model.toString(), "--data", data.toString(), "--seq-len", "16",
        "--batch-size", "1", "--batches", "1");
    assertEquals(0, eval.exit(), eval.err());
    assertTrue(eval.out().contains("val loss") && eval.out().contains("perplexity"), eval.out());

    Path gpt2Data = dir.resolve("gpt2-data");
    assertEquals(0, CommandLineTest.run("prep", "--master", "local[1]", "--input", corpus.toString(), "--output",
        gpt2Data.toString(), "--tokenizer", "gpt2", "--val-fraction", "0.3").exit());
    var mismatch = CommandLineTest.run("eval", "--model", model.toString(), "--data", gpt2Data.toString(), "--seq-len", "16");
    assertEquals(2, mismatch.exit());
    assertTrue(mismatch.err().contains("was made with tokenizer gpt2") && mismatch.err().contains("was trained on byte"),
        mismatch.err());

    var generated = CommandLineTest.run("generate", "--model", model.toString(), "--prompt", "In the",
        "--max-new-tokens", "8", "--seed", "3");
    assertEquals(0, generated.exit(), generated.err());
    assertTrue(generated.out().startsWith("In the"), generated.out());

    String[] resume = Arrays.copyOf(train, train.length + 3);
    resume[train.length] = "--resume";
    resume[train.length + 1] = "--set";
    resume[train.length + 2] = "train.steps=6"; // continue past the end it had
    var resumed = CommandLineTest.run(resume);
    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(resumed.out().contains("resuming from") && resumed.out().contains("step 4"), resumed.out());
    assertEquals(7, Files.readAllLines(run.resolve(MetricsLog.TRAIN_FILE)).size(), "header + 4 steps + the 2 resumed ones");
  }
}
