package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.data.TokenDataset;
import dytrain.train.MetricsLog;
import dytrain.train.TinyDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit path: Spark's own SparkSubmit (what bin/spark-submit runs) launches dytrain's main class
 * in a new JVM, which must see the submitted master and train on it.
 */
class SparkSubmitTest {

  @Test
  void sparkSubmitRunsTheDytrainMainClassOnTheSubmittedMaster(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    TinyDataset.write(data, 64, 30, 2, 1);
    Path run = dir.resolve("run");
    Submitted p = sparkSubmit(dir, "--conf", "spark.barrier.sync.timeout=300s",
        "train", "--config", "../configs/tiny.yaml", "--ranks", "2", "--run-dir", run.toString(),
        "--set", "data.dataset=" + data, "--set", "train.steps=6", "--set", "train.seq_len=16",
        "--set", "train.micro_batch_size=2", "--set", "train.global_batch_tokens=64",
        "--set", "train.warmup_steps=1", "--set", "train.peak_flops=1e9");
    assertEquals(0, p.exit(), p.log());
    assertTrue(p.log().contains("done: 2 ranks, 1 attempt(s)"), p.log());
    assertEquals(7, Files.readAllLines(run.resolve(MetricsLog.TRAIN_FILE)).size(), "a header and 6 steps");
  }

  @Test
  void sparkSubmitRunsPrepOnTheSubmittedMaster(@TempDir Path dir) throws Exception {
    Path corpus = dir.resolve("corpus.txt");
    Files.writeString(corpus, "first document\n\nsecond document\n\nthird document\n");
    Path out = dir.resolve("data");
    Submitted p = sparkSubmit(dir, "prep", "--input", corpus.toString(), "--output", out.toString(), "--tokenizer", "gpt2");
    assertEquals(0, p.exit(), p.log());
    assertTrue(p.log().contains("prep: Spark master local[2], 2 task slots"), "prep runs on the submitted master: " + p.log());
    var manifest = TokenDataset.open(out.toString(), new Configuration()).manifest();
    assertEquals(3, manifest.totals().documents());
  }

  record Submitted(int exit, String log) {}

  /** Spark's own SparkSubmit (what bin/spark-submit runs) on master local[2], in a new JVM with dytrain's flags. */
  private static Submitted sparkSubmit(Path dir, String... confAndArgs) throws Exception {
    Path appJar = dir.resolve("app.jar"); // the classes come from the classpath; spark-submit wants a jar
    try (var jar = new JarOutputStream(Files.newOutputStream(appJar), new Manifest())) {
      jar.flush();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : System.getenv().getOrDefault("DYTRAIN_JVM_FLAGS", "").split(" ")) {
      if (!flag.isBlank()) command.add(flag);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.apache.spark.deploy.SparkSubmit",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false"));
    int conf = 0;
    while (conf < confAndArgs.length && confAndArgs[conf].equals("--conf")) conf += 2;
    command.addAll(List.of(confAndArgs).subList(0, conf));
    command.addAll(List.of("--class", "dytrain.cli.Dytrain", appJar.toString()));
    command.addAll(List.of(confAndArgs).subList(conf, confAndArgs.length));
    Path log = dir.resolve("out.txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "spark-submit did not finish");
    return new Submitted(p.exitValue(), Files.readString(log));
  }
}
