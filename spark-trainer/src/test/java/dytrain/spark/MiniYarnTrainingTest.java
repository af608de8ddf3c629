package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dytrain.prep.PrepJob;
import dytrain.train.TrainingFixture;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dytrain on YARN with HDFS, all on this machine: a MiniDFSCluster and a MiniYARNCluster (a ResourceManager
 * and two NodeManagers that start executors as real container processes), Spark in yarn client mode.
 * Prep runs on YARN executors into hdfs://, two ranks train in containers and checkpoint to hdfs://, and end
 * bitwise where the same two ranks end in local mode. Minutes and several GB: run by hand with
 * tools/mini-yarn.sh, never in CI (spark-trainer's pom leaves it out of the suite; -Dtest= brings it back).
 */
class MiniYarnTrainingTest {

  @Test
  void twoRanksInYarnContainersEndWhereLocalModeEnds(@TempDir Path dir) throws Exception {
    try (MiniHadoop cluster = MiniHadoop.start(dir, 1)) {
      MiniDFSCluster hdfs = cluster.hdfs();
      Configuration conf = cluster.conf();
      Path corpus = StorageRuns.writeCorpus(dir.resolve("corpus"));
      String data = hdfs.getURI() + "/datasets/tiny";
      String run = hdfs.getURI() + "/runs/yarn";
      String[] twoRanks = {"distributed.ranks=2", "train.global_batch_tokens=128", "train.micro_batch_size=2",
          "distributed.timeout_seconds=120"};
      SparkSession spark = onYarn(cluster.yarn().getConfig(), dir.resolve("spark-home"));
      try {
        // fs.defaultFS is HDFS here: the corpus on this machine's disk is named by a file: URI
        PrepJob.run(StorageRuns.prep(corpus.toUri().toString(), data), spark);
        var outcome = DistributedTraining.run(spark, StorageRuns.config(data, twoRanks), run, m -> {}, System.out);
        assertEquals(2, outcome.ranks().size());
        assertEquals(List.of(12L, 8L, 4L), StorageRuns.steps(run, spark.sparkContext().hadoopConfiguration()));
      } finally {
        spark.stop();
      }
      Path localRun = dir.resolve("local-run");
      SparkSession local = TrainingSession.start("local[2]", 2, 0);
      try {
        PrepJob.run(StorageRuns.prep(corpus.toUri().toString(), dir.resolve("tiny").toString()), local);
        DistributedTraining.run(local, StorageRuns.config(dir.resolve("tiny").toString(), twoRanks), localRun.toString(),
            m -> {}, TrainingFixture.QUIET);
      } finally {
        local.stop();
      }
      assertArrayEquals(StorageRuns.lastWeights(localRun.toString()), StorageRuns.lastWeights(run, conf));
    }
  }

  /**
   * Spark in yarn client mode against the mini cluster. Containers take Spark's and dytrain's jars from this
   * machine (local: links, no upload) and the module flags from the job, as deploy/submit-yarn.sh gives them.
   */
  private static SparkSession onYarn(Configuration cluster, Path sparkHome) {
    LocalCluster.linkClasspathInto(sparkHome.toString());
    String flags = System.getenv().getOrDefault("DYTRAIN_JVM_FLAGS", "");
    SparkSession.Builder b = SparkSession.builder().appName("dytrain mini-yarn").master("yarn")
        .config("spark.submit.deployMode", "client")
        .config("spark.ui.enabled", "false")
        .config("spark.barrier.sync.timeout", "600s")
        .config("spark.yarn.jars", "local:" + sparkHome.resolve("jars") + File.separator + "*")
        // the test classpath's folders (this module's classes) are not jars: executors read them in place
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .config("spark.executor.instances", "2")
        .config("spark.executor.cores", "1")
        .config("spark.executor.memory", "1g")
        .config("spark.yarn.am.memory", "512m")
        .config("spark.yarn.am.extraJavaOptions", flags)
        .config("spark.executor.extraJavaOptions", flags + " -Dai.djl.pytorch.num_threads=1")
        .config("spark.executorEnv.DJL_OFFLINE", "true")
        .config("spark.dynamicAllocation.enabled", "false");
    for (Map.Entry<String, String> e : cluster) { // the ResourceManager's and NameNode's addresses
      b.config("spark.hadoop." + e.getKey(), e.getValue());
    }
    return b.getOrCreate();
  }
}
