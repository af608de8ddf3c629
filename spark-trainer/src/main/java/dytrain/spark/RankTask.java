package dytrain.spark;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dytrain.collective.DiLoCo;
import dytrain.collective.RingAllReduce;
import dytrain.collective.SynchronousAllReduce;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.data.SerializableConfiguration;
import dytrain.train.DataParallel;
import dytrain.train.Rank;
import dytrain.train.RunStart;
import dytrain.train.TrainState;
import dytrain.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * What one barrier task runs: open a listening socket, exchange addresses with allGather (the only thing
 * that passes through Spark), join the authenticated ring, then train as rank r of W with core's trainer.
 */
final class RankTask extends AbstractFunction1<Iterator<Integer>, Iterator<RankReport>> implements Serializable {

  private final String configYaml;
  private final String runDir;
  private final String secretHex;
  private final SerializableConfiguration hadoopConf;
  private final int threads;

  /**
   * @param hadoopConf the driver's, so ranks open the paths the driver checked, with its credentials
   * @param threads libtorch intra-op threads of each rank: the CPUs of its task (spark.task.cpus)
   */
  RankTask(String configYaml, String runDir, byte[] secret, SerializableConfiguration hadoopConf, int threads) {
    this.configYaml = configYaml;
    this.runDir = runDir;
    this.hadoopConf = hadoopConf;
    this.threads = threads;
    this.secretHex = HexFormat.of().formatHex(secret);
  }

  @Override
  public Iterator<RankReport> apply(Iterator<Integer> partition) {
    return CollectionConverters.asScala(List.of(train()).iterator());
  }

  private RankReport train() {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    // OpenMP's thread count is per calling thread: a Spark task thread that never set it would use every
    // core, and ranks sharing cores race their reductions into run-to-run differences. Set it here.
    Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
    DytrainConfig config;
    try {
      config = ConfigLoader.bind(ConfigLoader.YAML.readTree(configYaml), DytrainConfig.class, "job config");
    } catch (IOException e) {
      throw new IllegalStateException("rank " + rank + ": the driver's config does not parse", e);
    }
    var d = config.distributed();
    PrintStream log = System.err;
    String host = ctx.getTaskInfos()[rank].address().replaceFirst(":\\d+$", "");
    try (ServerSocket listener = RingAllReduce.listen(host)) {
      // the address a refused connection names, and where an operator looks for this rank's traffic
      log.printf("rank %d: all-reduce on %s:%d%n", rank, host, listener.getLocalPort());
      List<InetSocketAddress> peers = new ArrayList<>();
      for (String a : ctx.allGather(host + ":" + listener.getLocalPort())) {
        int colon = a.lastIndexOf(':');
        peers.add(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
      }
      var device = RankDevice.of(ctx.resourcesJMap(), rank);
      try (RingAllReduce ring = RingAllReduce.join(rank, peers, listener, HexFormat.of().parseHex(secretHex),
          Duration.ofSeconds(d.timeoutSeconds()), log::println)) {
        DataParallel parallel = d.diloco()
            ? new DiLoCo(ring, d.bucketFloats(), d.innerSteps(), d.outerLr(), d.outerMomentum())
            : new SynchronousAllReduce(ring, d.bucketFloats());
        TrainState end = TrainingRun.run(config, runDir, RunStart.Resume.IF_PRESENT,
            new Rank(rank, peers.size(), parallel, device), m -> {}, log, hadoopConf.get());
        return new RankReport(rank, end.step(), parallel.allReduces(), ring.bytesSent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rank " + rank + ": " + e.getMessage(), e);
    }
  }
}
