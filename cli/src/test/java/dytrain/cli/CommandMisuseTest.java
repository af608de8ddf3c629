package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misused commands exit 2 with one message naming the flag or file, and destroy nothing. */
class CommandMisuseTest {
  @TempDir static Path dir;
  static Path data;
  static Path run;
  static Path model;
  static String[] train;

  @BeforeAll
  static void trainATinyModel() throws Exception {
    Path corpus = Files.writeString(dir.resolve("corpus.txt"), "In the beginning was the word.\n\n".repeat(12));
    data = dir.resolve("data");
    assertEquals(0, CommandLineTest.run("prep", "--master", "local[1]", "--input", corpus.toString(), "--output",
        data.toString(), "--tokenizer", "byte", "--val-fraction", "0.3").exit());
    run = dir.resolve("run");
    train = new String[] {"train", "--config", "../configs/tiny.yaml", "--run-dir", run.toString(),
        "--set", "model.vocab_size=260", "--set", "data.dataset=" + data, "--set", "train.steps=2",
        "--set", "train.seq_len=16", "--set", "train.micro_batch_size=2", "--set", "train.warmup_steps=1",
        "--set", "train.checkpoint_every=2", "--set", "train.eval_every=2", "--set", "train.eval_batches=1",
        "--set", "train.peak_flops=1e9"};
    assertEquals(0, CommandLineTest.run(train).exit());
    model = dir.resolve("model");
    assertEquals(0, CommandLineTest.run("export", "--checkpoint", run.toString(), "--out", model.toString()).exit());
  }

  @Test
  void exportReplacesOnlyAnEarlierExport() throws Exception {
    assertRefused(args("export", "--checkpoint", run, "--out", data), "--out " + data + " holds ", "not part of an export");
    assertTrue(Files.exists(data.resolve("manifest.json")), "the dataset is untouched");
    assertRefused(args("export", "--checkpoint", run, "--out", run), "not part of an export");
    assertTrue(Files.isDirectory(run.resolve("checkpoints")), "the run is untouched");
    Path file = Files.writeString(dir.resolve("a-file.txt"), "mine");
    assertRefused(args("export", "--checkpoint", run, "--out", file), "is a file");
    Path tokenizerOnly = Files.createDirectories(dir.resolve("tok"));
    Files.writeString(tokenizerOnly.resolve("tokenizer.json"), "{}");
    assertRefused(args("export", "--checkpoint", run, "--out", tokenizerOnly), "holds a tokenizer but no model");
    assertEquals("{}", Files.readString(tokenizerOnly.resolve("tokenizer.json")));
    assertEquals(0, CommandLineTest.run(args("export", "--checkpoint", run, "--out", model)).exit(), "an earlier export");
  }

  @Test
  void evalChecksItsNumbersAndSplit() {
    String[] eval = args("eval", "--model", model, "--data", data);
    assertRefused(concat(eval, "--batches", "0"), "--batches = 0 must be at least 1");
    assertRefused(concat(eval, "--batch-size", "-1"), "--batch-size = -1 must be at least 1");
    assertRefused(concat(eval, "--seq-len", "0"), "--seq-len = 0 must be at least 1");
    assertRefused(concat(eval, "--seq-len", "100000"), "--seq-len = 100000 exceeds the model's max_seq_len");
    assertRefused(concat(eval, "--split", "nosuch"), "no split 'nosuch'", "[train, val]");
  }

  @Test
  void generateChecksItsNumbersAndModel() {
    String[] generate = args("generate", "--model", model, "--prompt", "In");
    assertRefused(concat(generate, "--max-new-tokens", "-5"), "--max-new-tokens = -5 must be at least 0");
    assertRefused(concat(generate, "--temperature", "-1"), "--temperature = -1.0 must be 0 (greedy) or a positive number");
    assertRefused(concat(generate, "--temperature", "NaN"), "--temperature = NaN");
    assertRefused(concat(generate, "--top-k", "-3"), "--top-k = -3 must be at least 0");
    assertRefused(args("generate", "--model", dir.resolve("nope")), "no such folder");
    assertRefused(args("generate", "--model", run), "is a run folder", "checkpoints/step-N");
  }

  @Test
  void aCheckpointFolderServesAsModelOnlyWhenItsSumsCheckOut() throws Exception {
    Path checkpoint;
    try (var steps = Files.list(run.resolve("checkpoints"))) {
      checkpoint = steps.filter(Files::isDirectory).max(Comparator.naturalOrder()).orElseThrow();
    }
    String[] eval = args("eval", "--model", checkpoint, "--data", data, "--batches", "1");
    assertEquals(0, CommandLineTest.run(eval).exit());
    Path copy = Files.createDirectories(dir.resolve("corrupt-checkpoint")); // one weight byte flipped
    try (var files = Files.list(checkpoint)) {
      for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
    }
    byte[] weights = Files.readAllBytes(copy.resolve("model.safetensors"));
    weights[weights.length - 1] ^= 1;
    Files.write(copy.resolve("model.safetensors"), weights);
    assertRefused(args("eval", "--model", copy, "--data", data), "model.safetensors is corrupt");
  }

  @Test
  void trainRefusesARunFolderThatIsNotARun() throws Exception {
    String[] intoDataset = train.clone();
    int runDir = Arrays.asList(train).indexOf("--run-dir") + 1;
    intoDataset[runDir] = data.toString();
    assertRefused(intoDataset, "holds manifest.json: it is a dataset");
    assertFalse(Files.exists(data.resolve("checkpoints")));
    Path file = Files.writeString(dir.resolve("run-file.txt"), "mine");
    intoDataset[runDir] = file.toString();
    assertRefused(intoDataset, "run folder " + file + " is a file");
    assertEquals("mine", Files.readString(file));
  }

  @Test
  void aBadSparkMasterIsNamed() {
    assertRefused(args("prep", "--master", "bogus", "--input", dir.resolve("corpus.txt"), "--output", dir.resolve("never"), "--tokenizer", "byte"),
        "--master bogus: not a Spark master URL");
    assertFalse(Files.exists(dir.resolve("never")));
  }

  private static String[] args(Object... parts) {
    return Arrays.stream(parts).map(String::valueOf).toArray(String[]::new);
  }

  static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Exit 2, every part in the one-line message, and no stack trace. */
  static void assertRefused(String[] args, String... parts) {
    var r = CommandLineTest.run(args);
    assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r.err());
    for (String p : parts) assertTrue(r.err().contains(p), "'" + p + "' missing from: " + r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }
}
