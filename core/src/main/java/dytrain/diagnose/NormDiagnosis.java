package dytrain.diagnose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import dytrain.model.NormProbe;
import dytrain.model.Tensors;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a model over a token sample with a {@link NormProbe} and measures each chosen norm layer: no graph is
 * built, and the forward pass is whatever dtype the model was read in (diagnose reads it in fp32).
 */
public final class NormDiagnosis {
  private NormDiagnosis() {}

  /** Points kept per layer for the S-curve: a few thousand, as in the DyT paper's scatter plots. */
  public static final int POINTS_PER_LAYER = 3000;
  /** Sequences per forward pass: bounds the activations one batch holds. */
  private static final int BATCH = 8;
  /** Fixed, so every model and checkpoint is sampled at the same (token, channel) positions. */
  private static final long POINT_SEED = 20250314;

  /** The statistics of {@code layers} (short names, see {@link NormLayers}), in that order. */
  public static List<LayerStatistics> of(Llama model, TokenSample sample, List<String> layers) {
    long elements = sample.tokens() * model.config().hiddenSize();
    long[] points = positions(elements, POINTS_PER_LAYER);
    Map<String, LayerAccumulator> measured = new LinkedHashMap<>();
    layers.forEach(name -> measured.put(name, new LayerAccumulator(name, points)));
    NormProbe probe = (prefix, norm, input, output) -> {
      LayerAccumulator layer = measured.get(NormLayers.shortName(prefix));
      if (layer != null) {
        layer.add(norm, input.toFloatArray(), output.toFloatArray());
      }
    };
    int[][] windows = sample.windows();
    for (int from = 0; from < windows.length; from += BATCH) {
      int[][] batch = Arrays.copyOfRange(windows, from, Math.min(windows.length, from + BATCH));
      try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
        model.forward(ids(model.parameters().manager(), batch), probe);
      }
    }
    return measured.values().stream().map(LayerAccumulator::finish).toList();
  }

  /** {@code count} distinct positions in [0, total), sorted (Floyd's sampling without replacement); all when fewer. */
  static long[] positions(long total, int count) {
    if (total <= count) {
      long[] all = new long[(int) total];
      Arrays.setAll(all, i -> i);
      return all;
    }
    SplittableRandom random = new SplittableRandom(POINT_SEED);
    Set<Long> chosen = new HashSet<>();
    for (long j = total - count; j < total; j++) {
      long t = random.nextLong(j + 1);
      chosen.add(chosen.contains(t) ? j : t);
    }
    return chosen.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  private static NDArray ids(NDManager manager, int[][] batch) {
    long[] flat = new long[batch.length * batch[0].length];
    for (int b = 0; b < batch.length; b++) {
      for (int t = 0; t < batch[b].length; t++) {
        flat[b * batch[b].length + t] = batch[b][t];
      }
    }
    return Tensors.of(manager, flat, new Shape(batch.length, batch[0].length));
  }
}
