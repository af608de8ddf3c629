package dytrain.prep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prep driver killed with SIGKILL part-way through, then rerun: the rerun tokenizes only what the killed
 * run had not finished and ends byte-identical to a run that was never interrupted.
 */
class PrepKilledMidRunTest {
  @TempDir Path dir;

  /** Entry point of the child JVM that gets killed: one Spark core, so inputs finish one by one. */
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    PrepJob.run(settings(Path.of(args[0]), Path.of(args[1])), spark);
    spark.stop();
  }

  static PrepSettings settings(Path corpus, Path out) {
    return PrepSettings.of(List.of(corpus.toString()), out.toString(), "gpt2").withShardTokens(20_000);
  }

  @Test
  void rerunAfterKillRedoesOnlyUnfinishedInputsAndMatchesCleanRun() throws Exception {
    Path corpus = dir.resolve("corpus");
    Files.createDirectories(corpus);
    String text = "And it came to pass in those days, that there went out a decree. ".repeat(40);
    for (int f = 0; f < 8; f++) {
      StringBuilder s = new StringBuilder();
      for (int d = 0; d < 400; d++) s.append("Document ").append(f).append('/').append(d).append(". ").append(text).append("\n\n");
      Files.writeString(corpus.resolve(String.format("part-%d.txt", f)), s);
    }
    Path killed = dir.resolve("killed");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-opens") || a.startsWith("-D")).toList());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), PrepKilledMidRunTest.class.getName(), corpus.toString(), killed.toString()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    Path firstDone = killed.resolve("_inputs/input-00000.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(firstDone) && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
    child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no cleanup
    assertTrue(Files.exists(firstDone), "the child never finished its first input: " + Files.readString(dir.resolve("child.log")));
    assertFalse(Files.exists(killed.resolve("manifest.json")), "killed before the end: no manifest yet");

    SparkSession spark = SparkTestSession.start();
    try {
      PrepJob.PrepResult resumed = PrepJob.run(settings(corpus, killed), spark);
      assertTrue(resumed.inputsReused() >= 1, "the finished input is not redone");
      assertTrue(resumed.inputsRun() >= 1 && resumed.inputsRun() < 8, "only unfinished inputs are redone: " + resumed.inputsRun());
      PrepJob.run(settings(corpus, dir.resolve("clean")), spark);
    } finally {
      spark.stop();
    }
    Map<String, byte[]> expected = dataset(dir.resolve("clean"));
    Map<String, byte[]> actual = dataset(killed);
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name));
    assertFalse(Files.exists(killed.resolve("_tmp")));
  }

  static Map<String, byte[]> dataset(Path out) throws Exception {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> s = Files.list(out)) {
      for (Path p : s.filter(p -> p.getFileName().toString().matches("manifest\\.json|.*\\.parquet")).toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }
}
