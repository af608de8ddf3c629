package dytrain.spark;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dytrain.config.DytrainException;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

/**
 * The DJL device of a rank, from the GPU address Spark assigned to its task
 * ({@code spark.task.resource.gpu.amount=1}); CPU when the task has no GPU resource.
 */
final class RankDevice {
  private RankDevice() {}

  static Device of(Map<String, ResourceInformation> resources, int rank) {
    ResourceInformation gpus = resources.get("gpu");
    if (gpus == null || gpus.addresses().length == 0) {
      return Device.cpu();
    }
    if (gpus.addresses().length != 1) {
      throw new DytrainException("rank " + rank + " was given GPUs " + String.join(",", gpus.addresses())
          + "; dytrain runs one rank per GPU: set spark.task.resource.gpu.amount=1");
    }
    int id;
    try {
      id = Integer.parseInt(gpus.addresses()[0].trim());
    } catch (NumberFormatException e) {
      throw new DytrainException("rank " + rank + ": GPU address '" + gpus.addresses()[0]
          + "' from the discovery script is not a CUDA device index");
    }
    int available = Engine.getEngine("PyTorch").getGpuCount();
    if (available == 0) {
      throw new DytrainException("rank " + rank + " was given GPU " + id + " but DJL's PyTorch engine found no CUDA"
          + " device: Maven Central's libtorch is CPU-only, so point DJL at a CUDA 12.8 libtorch 2.7.1 in the"
          + " executor image (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128; see deploy/)");
    }
    if (id >= available) {
      throw new DytrainException("rank " + rank + " was given GPU " + id + " but the engine sees only " + available);
    }
    return Device.gpu(id);
  }
}
