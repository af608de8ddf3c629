package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dytrain.config.DytrainException;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class PreflightTest {

  static SparkConf good() {
    return new SparkConf(false).set("spark.barrier.sync.timeout", "600s");
  }

  static String error(SparkConf conf, int slots, int ranks) {
    return assertThrows(DytrainException.class, () -> Preflight.check(conf, slots, ranks)).getMessage();
  }

  @Test
  void aGoodConfigurationPasses() {
    assertDoesNotThrow(() -> Preflight.check(good().set("spark.task.resource.gpu.amount", "1"), 4, 4));
  }

  @Test
  void dynamicAllocationIsRefused() {
    assertTrue(error(good().set("spark.dynamicAllocation.enabled", "true"), 4, 2).contains("spark.dynamicAllocation.enabled"));
  }

  @Test
  void aGpuAmountOtherThanOneIsRefused() {
    assertTrue(error(good().set("spark.task.resource.gpu.amount", "0.5"), 4, 2).contains("set it to 1"));
  }

  @Test
  void sparksDefaultBarrierTimeoutOfAYearIsRefused() {
    String e = error(new SparkConf(false), 4, 2);
    assertTrue(e.contains("spark.barrier.sync.timeout") && e.contains("one year"), e);
  }

  @Test
  void moreRanksThanSlotsIsRefused() {
    assertTrue(error(good(), 2, 3).contains("distributed.ranks = 3 but the cluster offers 2 task slot"));
  }

  @Test
  void aTaskWithoutGpuResourcesRunsOnCpu() {
    assertTrue(RankDevice.of(Map.of(), 0).equals(Device.cpu()));
  }

  @Test
  void aGpuWithoutACudaEngineIsAClearErrorAtStart() {
    var gpu = new ResourceInformation("gpu", new String[] {"0"});
    var e = assertThrows(DytrainException.class, () -> RankDevice.of(Map.of("gpu", gpu), 1));
    assertTrue(e.getMessage().contains("rank 1 was given GPU 0") && e.getMessage().contains("PYTORCH_LIBRARY_PATH"),
        e.getMessage());
  }

  @Test
  void twoGpusForOneRankAreRefused() {
    var gpus = new ResourceInformation("gpu", new String[] {"0", "1"});
    var e = assertThrows(DytrainException.class, () -> RankDevice.of(Map.of("gpu", gpus), 0));
    assertTrue(e.getMessage().contains("spark.task.resource.gpu.amount=1"), e.getMessage());
  }
}
