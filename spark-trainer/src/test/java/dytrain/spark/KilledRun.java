package dytrain.spark;

import dytrain.config.ConfigLoader;
import dytrain.train.Rank;
import dytrain.train.RunStart;
import dytrain.train.TrainingRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * A training run in a JVM of its own, so a test can kill it with SIGKILL as a lost machine would: no
 * finally block, no close, no shutdown hook runs, and the file system sees a client vanish mid-write.
 * The child prints {@value #CHECKPOINTING} when the step before a checkpoint is done.
 */
final class KilledRun implements AutoCloseable {
  static final String CHECKPOINTING = "checkpointing at step ";
  /** A system property naming a Hadoop resource the child adds to every Configuration (S3A settings). */
  static final String HADOOP_RESOURCE = "dytrain.test.hadoop.resource";

  private final Process process;
  private final BufferedReader out;
  private final StringBuilder seen = new StringBuilder();

  /**
   * Starts {@code tiny.yaml} with {@code overrides} training into {@code runDir}; {@code properties} are
   * system properties for the child (file system settings).
   */
  KilledRun(String runDir, long announceAt, List<String> properties, List<String> overrides) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-Xmx") && !arg.startsWith("-agentlib")) command.add(arg); // the test JVM's --add-opens
    }
    command.add("-Xmx1g");
    command.add("-Dai.djl.pytorch.num_threads=1");
    command.addAll(properties);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), KilledRun.class.getName(), runDir,
        Long.toString(announceAt)));
    command.addAll(overrides);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Blocks until the child has finished the step before the checkpoint at {@code step}. */
  void awaitCheckpointing(long step) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.equals(CHECKPOINTING + step)) return;
    }
    throw new IllegalStateException("the training child ended before step " + step + ":\n" + seen);
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the training child survived SIGKILL");
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }

  /** The child: trains, announcing each checkpoint step on stdout. */
  public static void main(String[] args) throws Exception {
    String runDir = args[0];
    long announceAt = Long.parseLong(args[1]);
    if (System.getProperty(HADOOP_RESOURCE) != null) {
      Configuration.addDefaultResource(System.getProperty(HADOOP_RESOURCE));
    }
    var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), Arrays.asList(args).subList(2, args.length));
    TrainingRun.run(config, runDir, RunStart.Resume.IF_PRESENT, Rank.SINGLE, m -> {
      if (m.step() + 1 == announceAt) { // metrics count steps from 0: m.step() + 1 steps are done
        System.out.println(CHECKPOINTING + announceAt);
        System.out.flush();
      }
    }, System.out, new Configuration());
    System.out.println("finished");
  }
}
