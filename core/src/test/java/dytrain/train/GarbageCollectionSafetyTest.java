package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDScope;
import dytrain.config.ConfigLoader;
import dytrain.config.ModelConfig;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import dytrain.model.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradients must not depend on when the garbage collector runs. DJL ties some native memory to Java
 * objects (scalars of {@code mul(Number)}, tensors over direct buffers); a tensor that autograd keeps
 * past its Java owner's life reads freed memory once the collector has run. This ran the same backward
 * pass with the collector running continuously and compares bit for bit.
 */
class GarbageCollectionSafetyTest {

  @ParameterizedTest
  @ValueSource(strings = {"rmsnorm", "layernorm", "dyt", "derf"})
  void gradientsAreBitwiseTheSameWhileTheCollectorRuns(String norm) throws Exception {
    var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of("model.norm_type=" + norm)).model();
    Random r = new Random(3);
    int[][] windows = new int[4][17];
    for (int[] w : windows) {
      for (int i = 0; i < w.length; i++) {
        w[i] = r.nextInt(config.vocabSize());
      }
    }
    List<float[]> expected = gradients(config, windows);
    Thread collector = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        System.gc();
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    collector.setDaemon(true);
    collector.start();
    try {
      for (int round = 0; round < 5; round++) {
        List<float[]> actual = gradients(config, windows);
        for (int i = 0; i < expected.size(); i++) {
          assertArrayEquals(expected.get(i), actual.get(i), 0f, "round " + round + ", tensor " + i);
        }
      }
    } finally {
      collector.interrupt();
    }
  }

  private static List<float[]> gradients(ModelConfig config, int[][] windows) {
    try (Llama model = Llama.init(config, 5)) {
      try (NDScope s = new NDScope(); Autograd rec = Autograd.record()) {
        var m = model.parameters().manager();
        var mean = model.loss(Batches.inputs(m, windows), Batches.targets(m, windows));
        Autograd.backward(mean.div(Tensors.scalar(mean, 2)));
      }
      List<float[]> out = new ArrayList<>();
      for (var p : model.parameters().all().values()) {
        out.add(p.getGradient().toFloatArray());
      }
      return out;
    }
  }
}
