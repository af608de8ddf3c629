package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dytrain.config.ConfigLoader;
import dytrain.config.ModelConfig;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import dytrain.model.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        Arrays.copyOfRange(windows, 0, 2), Arrays.copyOfRange(windows, 2, 4),
        Arrays.copyOfRange(windows, 4, 6), Arrays.copyOfRange(windows, 6, 8));
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

  /** The same through the trainer: loss and global gradient norm per step, and the weights after. */
  @Test
  void trainerStepsWithFourMicroBatchesEqualStepsWithOne(@TempDir Path data, @TempDir Path one, @TempDir Path four) throws Exception {
    TinyDataset.write(data, 64, 40, 3, 1);
    List<StepMetrics> whole = new ArrayList<>();
    List<StepMetrics> accumulated = new ArrayList<>();
    String[] settings = {"train.steps=3", "train.global_batch_tokens=128", "train.eval_every=100", "train.checkpoint_every=100"};
    TrainingFixture.train(TrainingFixture.config(data, concat(settings, "train.micro_batch_size=8")), one, whole::add);
    TrainingFixture.train(TrainingFixture.config(data, concat(settings, "train.micro_batch_size=2")), four, accumulated::add);
    assertEquals(3, whole.size());
    for (int i = 0; i < whole.size(); i++) {
      assertEquals(whole.get(i).loss(), accumulated.get(i).loss(), 1e-5 * whole.get(i).loss(), "loss at step " + i);
      assertEquals(whole.get(i).gradNorm(), accumulated.get(i).gradNorm(), 1e-5 * whole.get(i).gradNorm(), "grad norm at step " + i);
    }
    var a = TrainingFixture.finalWeights(one);
    var b = TrainingFixture.finalWeights(four);
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name).data(), b.get(name).data(), 1e-5f, name);
    }
  }

  private static String[] concat(String[] a, String b) {
    String[] all = Arrays.copyOf(a, a.length + 1);
    all[a.length] = b;
    return all;
  }

  private static Map<String, float[]> gradients(ModelConfig config, List<int[][]> micro) {
    try (Llama model = Llama.init(config, 5)) {
      for (int[][] windows : micro) {
        try (NDScope scope = new NDScope(); Autograd rec = Autograd.record()) {
          var m = model.parameters().manager();
          NDArray mean = model.loss(Batches.inputs(m, windows), Batches.targets(m, windows));
          Autograd.backward(mean.div(Tensors.scalar(mean, micro.size())));
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
