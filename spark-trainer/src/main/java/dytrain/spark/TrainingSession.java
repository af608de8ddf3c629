package dytrain.spark;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dytrain.config.DytrainException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a training job. Under spark-submit the cluster's settings are used as given (and
 * checked by {@link Preflight}); on one machine dytrain sets up local mode (ranks as threads) or
 * local-cluster mode (ranks as executor JVMs, one core each) itself.
 */
public final class TrainingSession {
  private TrainingSession() {}

  /** True when spark-submit (or the user) chose the master: the job runs on that cluster. */
  public static boolean submitted() {
    return System.getProperty("spark.master") != null;
  }

  /** glibc's transparent-huge-page switch for malloc (see the dytrain launcher). */
  static final String HUGE_PAGES = "glibc.malloc.hugetlb=1";

  /**
   * @param master null for local-cluster with {@code ranks} executors, or a master URL such as local[2]
   */
  public static SparkSession start(String master, int ranks, int executorMemoryMb) {
    SparkSession.Builder b = SparkSession.builder().appName("dytrain train").config("spark.ui.enabled", "false");
    if (!submitted()) {
      String m = master != null ? master : LocalCluster.master(ranks, executorMemoryMb);
      b.master(m).config("spark.barrier.sync.timeout", "600s");
      if (m.startsWith("local-cluster")) {
        String flags = System.getenv().getOrDefault("DYTRAIN_JVM_FLAGS", "");
        b.config("spark.executor.extraClassPath", LocalCluster.prepareSparkHome())
            // one libtorch thread per rank: each rank is one core's worth of work
            .config("spark.executor.extraJavaOptions", flags + " -Dai.djl.pytorch.num_threads=1")
            .config("spark.executorEnv.DJL_OFFLINE", "true")
            // the launcher's huge-page setting for large tensors, in the executors too
            .config("spark.executorEnv.GLIBC_TUNABLES", System.getenv().getOrDefault("GLIBC_TUNABLES", HUGE_PAGES));
      }
    }
    if (!submitted() && master != null && master.startsWith("local")) {
      // Ranks as threads share one libtorch: with several intra-op threads each, two ranks' ops race for
      // the pool and reductions split differently from run to run, which Adam amplifies where gradients are
      // tiny. One thread per rank keeps every rank's arithmetic deterministic.
      Engine.getEngine("PyTorch");
      JniUtils.setNumThreads(1);
    }
    SparkSession spark = getOrCreate(b, master);
    spark.sparkContext().setLogLevel("WARN");
    // A lost rank is logged with its whole trace per task; the driver reports the attempt's failure once
    Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager",
        Level.ERROR);
    return spark;
  }

  /** Starts the session; a master URL Spark cannot parse is a user error naming {@code --master}. */
  public static SparkSession getOrCreate(SparkSession.Builder builder, String master) {
    if (master != null && !submitted()) {
      requireMasterUrl(master);
    }
    try {
      return builder.getOrCreate();
    } catch (Exception e) { // Scala throws SparkException, a checked exception Java cannot name here
      if (String.valueOf(e.getMessage()).contains("Master URL")) {
        throw badMaster(master, e);
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  /**
   * Refuses what is plainly not a master before Spark logs its own failure: local, local[...],
   * local-cluster[...], yarn, or a scheme:// URL (spark://, k8s://, a plugged-in cluster manager).
   */
  static void requireMasterUrl(String master) {
    if (!master.matches("local(\\[.*\\])?|local-cluster\\[.*\\]|yarn|[a-z][a-z0-9+.-]*://.+")) {
      throw badMaster(master, null);
    }
  }

  private static DytrainException badMaster(String master, Exception cause) {
    return new DytrainException("--master " + master + ": not a Spark master URL; expected local[N], local[*],"
        + " local-cluster[N,CORES,MB], spark://HOST:PORT, yarn or k8s://URL", cause);
  }
}
