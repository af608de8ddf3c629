package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dytrain.config.ConfigLoader;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AccumulationTest {

  /** k micro-batches of b, each loss scaled by 1/k, give the gradient of one batch of k*b. */
  @Test
  void fourMicroBatchesOfTwoEqualOneBatchOfEight() {
    var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of()).model();
    Random r = new Random(3);
    int[][] windows = new int[8][17];
    for (int[] w : windows) {
      for (int i = 0; i < w.length; i++) {
        w[i] = r.nextInt(config.vocabSize());
      }
    }
    Map<String, float[]> whole = gradients(config, List.<int[][]>of(windows));
    List<int[][]> micro = List.of(
        java.util.Arrays.copyOfRange(windows, 0, 2), java.util.Arrays.copyOfRange(windows, 2, 4),
        java.util.Arrays.copyOfRange(windows, 4, 6), java.util.Arrays.copyOfRange(windows, 6, 8));
    Map<String, float[]> accumulated = gradients(config, micro);
    for (String name : whole.keySet()) {
      float[] a = whole.get(name);
      float[] b = accumulated.get(name);
      double diff = 0;
      double size = 0;
      for (int i = 0; i < a.length; i++) {
        diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
        size += a[i] * (double) a[i];
      }
      assertEquals(0, Math.sqrt(diff / Math.max(size, 1e-30)), 1e-5, name);
    }
  }

  private static Map<String, float[]> gradients(dytrain.config.ModelConfig config, List<int[][]> micro) {
    try (Llama model = Llama.init(config, 5)) {
      for (int[][] windows : micro) {
        try (NDScope scope = new NDScope(); Autograd rec = Autograd.record()) {
          var m = model.parameters().manager();
          NDArray mean = model.loss(Batches.inputs(m, windows), Batches.targets(m, windows));
          Autograd.backward(mean.div(dytrain.model.Tensors.scalar(mean, micro.size())));
        }
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : model.parameters().all().entrySet()) {
        out.put(e.getKey(), e.getValue().getGradient().toFloatArray());
      }
      return out;
    }
  }
}
