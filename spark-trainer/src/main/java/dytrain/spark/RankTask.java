package dytrain.spark;

import dytrain.collective.DiLoCoSync;
import dytrain.collective.RingAllReduce;
import dytrain.collective.RingGradientSync;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.train.GradientSync;
import dytrain.train.TrainState;
import dytrain.train.TrainingRun;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * What one barrier task runs: open a listening socket, exchange addresses with allGather (the only thing
 * that passes through Spark), join the authenticated ring, then train as rank r of W with core's trainer.
 */
final class RankTask extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>>
    implements java.io.Serializable {

  private final String configJson;
  private final String runDir;
  private final String secretHex;

  private final int threads;

  /** @param threads libtorch intra-op threads of each rank: the CPUs of its task (spark.task.cpus) */
  RankTask(String configJson, String runDir, byte[] secret, int threads) {
    this.configJson = configJson;
    this.runDir = runDir;
    this.threads = threads;
    this.secretHex = HexFormat.of().formatHex(secret);
  }

  @Override
  public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> partition) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(train()).iterator());
  }

  private String train() {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    // OpenMP's thread count is per calling thread: a Spark task thread that never set it would use every
    // core, and ranks sharing cores race their reductions into run-to-run differences. Set it here.
    ai.djl.engine.Engine.getEngine("PyTorch");
    ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    DytrainConfig config;
    try {
      config = ConfigLoader.bind(ConfigLoader.YAML.readTree(configJson), DytrainConfig.class, "job config");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    var d = config.distributed();
    PrintStream log = System.err;
    String host = ctx.getTaskInfos()[rank].address().replaceFirst(":\\d+$", "");
    try (ServerSocket listener = RingAllReduce.listen(host)) {
      String[] addresses = ctx.allGather(host + ":" + listener.getLocalPort());
      List<InetSocketAddress> peers = new ArrayList<>();
      for (String a : addresses) {
        int colon = a.lastIndexOf(':');
        peers.add(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
      }
      var device = RankDevice.of(ctx.resourcesJMap(), rank);
      try (RingAllReduce ring = RingAllReduce.join(rank, peers, listener, HexFormat.of().parseHex(secretHex),
          Duration.ofSeconds(d.timeoutSeconds()), log::println)) {
        GradientSync sync = d.diloco()
            ? new DiLoCoSync(ring, d.bucketFloats(), d.innerSteps(), d.outerLr(), d.outerMomentum())
            : new RingGradientSync(ring, d.bucketFloats());
        // Spark's own Hadoop settings for this executor: core-site.xml plus the job's spark.hadoop.* (S3A
        // endpoints and credentials), which a plain Configuration would not see
        var conf = org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(org.apache.spark.SparkEnv.get().conf());
        TrainState end = TrainingRun.run(config, runDir, false,
            new TrainingRun.Rank(rank, peers.size(), sync, device), m -> {}, log, conf);
        return rank + "," + end.step() + "," + sync.allReduces() + "," + ring.bytesSent();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("rank " + rank + ": " + e.getMessage(), e);
    }
  }
}
