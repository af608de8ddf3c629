package dytrain.spark;

import dytrain.config.DytrainException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Configuration errors a barrier job would otherwise hit late or never report: caught on the driver
 * before any task starts, each naming the setting to change.
 */
final class Preflight {
  private Preflight() {}

  static void check(JavaSparkContext sc, int ranks) {
    check(sc.getConf(), slots(sc), ranks);
  }

  static void check(SparkConf conf, int slots, int ranks) {
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new DytrainException("spark.dynamicAllocation.enabled=true: a barrier stage needs all its ranks at once"
          + " and dynamic allocation can take executors away mid-run; set it to false");
    }
    if (conf.contains("spark.task.resource.gpu.amount")) {
      double amount = Double.parseDouble(conf.get("spark.task.resource.gpu.amount"));
      if (amount != 1.0) {
        throw new DytrainException("spark.task.resource.gpu.amount=" + conf.get("spark.task.resource.gpu.amount")
            + ": dytrain runs one rank per GPU, set it to 1");
      }
    }
    long barrierTimeout = conf.getTimeAsSeconds("spark.barrier.sync.timeout", "365d");
    if (barrierTimeout > 3600) {
      throw new DytrainException("spark.barrier.sync.timeout is " + barrierTimeout + " s (Spark's default is one year):"
          + " a rank that dies before the rendezvous would hang the job; set it to minutes, e.g."
          + " --conf spark.barrier.sync.timeout=600s");
    }
    if (ranks > slots) {
      throw new DytrainException("distributed.ranks = " + ranks + " but the cluster offers " + slots
          + " task slot(s) (executors x cores / spark.task.cpus" + (conf.contains("spark.task.resource.gpu.amount")
          ? ", and one GPU per task" : "") + "); a barrier stage needs one slot per rank");
    }
  }

  /** Slots of the executors registered now (the driver waits for them before calling this). */
  static int slots(JavaSparkContext sc) {
    var status = sc.sc().statusTracker().getExecutorInfos();
    int taskCpus = sc.getConf().getInt("spark.task.cpus", 1);
    String master = sc.master();
    if (master.startsWith("local[") || master.equals("local")) {
      return Math.max(1, sc.defaultParallelism() / taskCpus);
    }
    int cores = sc.getConf().getInt("spark.executor.cores", 1);
    int executors = Math.max(0, status.length - 1); // the driver is listed too
    return executors * (cores / taskCpus);
  }
}
