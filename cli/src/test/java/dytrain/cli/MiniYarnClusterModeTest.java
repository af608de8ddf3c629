package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.ConfigLoader;
import dytrain.data.DatasetFileSystem;
import dytrain.export.ModelExport;
import dytrain.spark.MiniHadoop;
import dytrain.spark.TrainJob;
import dytrain.train.CheckpointStore;
import dytrain.train.RunStart;
import dytrain.train.TinyDataset;
import dytrain.train.TrainingFixture;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/submit-yarn.sh in YARN cluster deploy mode, all on this machine: a MiniDFSCluster, a MiniYARNCluster
 * (two NodeManagers), and a SPARK_HOME whose bin/spark-submit runs Spark's own SparkSubmit on this
 * classpath, as a distribution's does. The script ships the --config file into the driver's container; the
 * driver reads it there (its training settings are in no other place), two ranks train in containers with
 * checkpoints on hdfs://, and they end bitwise where the same two ranks end in local mode. Minutes and several
 * GB: run by tools/mini-yarn.sh, never in CI (the cli pom leaves it out of the suite; -Dtest= brings it back).
 */
class MiniYarnClusterModeTest {

  @Test
  void submitYarnRunsTheDriverInAContainerOnTheShippedConfig(@TempDir Path dir) throws Exception {
    try (MiniHadoop cluster = MiniHadoop.start(dir, 2)) {
      MiniDFSCluster hdfs = cluster.hdfs();
      MiniYARNCluster yarn = cluster.yarn();
      Path hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
      for (String site : List.of("core-site.xml", "yarn-site.xml")) { // the ResourceManager's and NameNode's addresses
        try (OutputStream out = Files.newOutputStream(hadoopConf.resolve(site))) {
          yarn.getConfig().writeXml(out);
        }
      }
      Path local = dir.resolve("tiny");
      TinyDataset.write(local, 64, 40, 3, 1);
      String data = hdfs.getURI() + "/datasets/tiny";
      hdfs.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(data));
      Path config = dir.resolve("tiny-on-yarn.yaml");
      Files.writeString(config, Files.readString(Path.of("../configs/tiny.yaml")) + String.join("\n",
          "data:", "  dataset: " + data,
          "train:", "  seq_len: 16", "  micro_batch_size: 2", "  global_batch_tokens: 64", "  steps: 12",
          "  warmup_steps: 2", "  lr: 0.003", "  eval_every: 4", "  eval_batches: 2", "  checkpoint_every: 4",
          "  keep_last: 5", "  peak_flops: 1.0e9",
          "distributed:", "  ranks: 2", "  timeout_seconds: 120", ""));

      String run = hdfs.getURI() + "/runs/cluster-mode";
      Path log = dir.resolve("submit.log");
      ProcessBuilder submit = new ProcessBuilder("bash", "../deploy/submit-yarn.sh", "train", "--config", config.toString(),
          "--run-dir", run).redirectErrorStream(true).redirectOutput(log.toFile());
      Map<String, String> env = submit.environment();
      env.put("SPARK_HOME", sparkHome(dir.resolve("spark-home")).toString());
      env.put("HADOOP_CONF_DIR", hadoopConf.toString());
      env.put("DYTRAIN_JAR", emptyJar(dir.resolve("app.jar")).toString());
      env.put("GPUS_PER_EXECUTOR", "0");
      env.put("RANKS", "2");
      Process p = submit.start();
      assertTrue(p.waitFor(20, TimeUnit.MINUTES), "submit-yarn.sh did not finish");
      String out = Files.readString(log);
      // spark-submit in cluster mode waits for the application and fails unless YARN reports it SUCCEEDED
      assertEquals(0, p.exitValue(), out);
      Configuration client = yarn.getConfig();
      assertEquals(List.of(12L, 8L, 4L), new CheckpointStore(run, client, 5, 0).list().stream()
          .map(CheckpointStore.Checkpoint::step).toList(), "the shipped config's steps and checkpoints");

      Path localRun = dir.resolve("local-run");
      TrainJob.run(new TrainJob.Request(ConfigLoader.load(config, List.of()), localRun.toString(), RunStart.Resume.IF_PRESENT,
          "local[2]"), TrainingFixture.SILENT, TrainingFixture.QUIET);
      assertArrayEquals(lastWeights(localRun.toString(), new Configuration()), lastWeights(run, client));
    }
  }

  /**
   * A SPARK_HOME as a Spark distribution lays it out, from this classpath: jars/ (links), conf/spark-defaults.conf
   * (containers take the jars from this machine, no upload) and bin/spark-submit, which runs Spark's SparkSubmit
   * with HADOOP_CONF_DIR on the classpath as the distribution's launcher does.
   */
  private static Path sparkHome(Path home) throws Exception {
    Path jars = Files.createDirectories(home.resolve("jars"));
    String classpath = System.getProperty("java.class.path");
    for (String entry : classpath.split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(jar) && Files.notExists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    String flags = System.getenv().getOrDefault("DYTRAIN_JVM_FLAGS", "");
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(home.resolve("conf/spark-defaults.conf"), String.join("\n",
        "spark.yarn.jars local:" + jars + File.separator + "*",
        // this module's classes are folders, not jars: the driver's and executors' containers read them in place
        "spark.driver.extraClassPath " + classpath,
        "spark.executor.extraClassPath " + classpath,
        "spark.driver.memory 1g",
        "spark.executor.memory 1g",
        "spark.ui.enabled false", ""));
    Path bin = Files.createDirectories(home.resolve("bin"));
    List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String flag : flags.split(" ")) {
      if (!flag.isBlank()) java.add(flag);
    }
    Path script = bin.resolve("spark-submit");
    Files.writeString(script, "#!/usr/bin/env bash\nexec " + String.join(" ", java) + " -cp \"" + classpath
        + ":$HADOOP_CONF_DIR\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    assertTrue(script.toFile().setExecutable(true));
    return home;
  }

  /** spark-submit wants an application jar; the classes come from the classpath. */
  private static Path emptyJar(Path jar) throws Exception {
    try (var out = new JarOutputStream(Files.newOutputStream(jar), new Manifest())) {
      out.flush();
    }
    return jar;
  }

  private static byte[] lastWeights(String run, Configuration conf) throws Exception {
    var newest = CheckpointStore.newestIn(run, conf).orElseThrow();
    return CheckpointStore.readVerified(DatasetFileSystem.of(newest.dir(), conf), newest.dir()).get(ModelExport.WEIGHTS);
  }
}
