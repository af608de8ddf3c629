package dytrain.spark;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * HDFS and YARN in this JVM for the YARN runs of tools/mini-yarn.sh: a MiniDFSCluster of two DataNodes and a
 * MiniYARNCluster of two NodeManagers (3 GB each) that start executors as real container processes.
 * {@link #conf} points at both once started; {@code yarn().getConfig()} is what a client writes to its
 * site files.
 */
public final class MiniHadoop implements AutoCloseable {

  private final Configuration conf;
  private final MiniDFSCluster hdfs;
  private final MiniYARNCluster yarn;

  private MiniHadoop(Configuration conf, MiniDFSCluster hdfs, MiniYARNCluster yarn) {
    this.conf = conf;
    this.hdfs = hdfs;
    this.yarn = yarn;
  }

  /** Starts both under {@code dir}, each NodeManager offering {@code vcores} cores. */
  public static MiniHadoop start(Path dir, int vcores) throws Exception {
    Configuration conf = new YarnConfiguration();
    conf.setInt("dfs.replication", 2);
    conf.setInt(YarnConfiguration.NM_PMEM_MB, 3072);
    conf.setInt(YarnConfiguration.NM_VCORES, vcores);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
    // the capacity scheduler wants a capacity-scheduler.xml of queues; one FIFO queue is all a test needs
    conf.set(YarnConfiguration.RM_SCHEDULER, "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100f);
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf, dir.resolve("hdfs").toFile()).numDataNodes(2).build();
    MiniYARNCluster yarn = new MiniYARNCluster("dytrain", 2, 1, 1);
    MiniHadoop cluster = new MiniHadoop(conf, hdfs, yarn);
    try {
      hdfs.waitActive();
      conf.set("fs.defaultFS", hdfs.getURI().toString());
      yarn.init(conf);
      yarn.start();
      yarn.waitForNodeManagersToConnect(60_000);
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  public Configuration conf() {
    return conf;
  }

  public MiniDFSCluster hdfs() {
    return hdfs;
  }

  public MiniYARNCluster yarn() {
    return yarn;
  }

  @Override
  public void close() {
    yarn.stop();
    hdfs.shutdown(true);
  }
}
