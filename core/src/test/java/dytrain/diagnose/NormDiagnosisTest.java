package dytrain.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.ModelConfig;
import dytrain.config.NormType;
import dytrain.model.Llama;
import dytrain.model.ReferenceLlama;
import dytrain.model.TinyModels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The statistics of every norm type against the plain-Java forward of dytrain.model.ReferenceLlama. */
class NormDiagnosisTest {

  /** Two sequences of the tiny model's max_seq_len: 4,096 elements per layer, more than the points kept. */
  static final int[][] WINDOWS = randomWindows(2, 64, 64, 9);

  @ParameterizedTest
  @ValueSource(strings = {"rmsnorm", "layernorm", "dyt", "derf"})
  void statisticsMatchAPlainJavaForward(String normType) {
    // alpha0 well above 1/std of the inputs, so that a good share of them is squashed
    ModelConfig config = TinyModels.config("model.norm_type=" + normType, "model.norm_bias=true",
        "model.alpha0_attention=6", "model.alpha0_other=3");
    try (Llama model = Llama.init(config, 11)) {
      TinyModels.perturb(model, 5);
      Map<String, float[]> params = TinyModels.floats(model);
      List<LayerStatistics> measured = NormDiagnosis.of(model, new TokenSample(WINDOWS, 128), NormLayers.of(config));
      ReferenceLlama reference = new ReferenceLlama(config, params);
      List<Map<String, double[][]>> inputs = Arrays.stream(WINDOWS).map(reference::normInputs).toList();

      assertEquals(NormLayers.of(config), measured.stream().map(LayerStatistics::layer).toList());
      for (LayerStatistics s : measured) {
        String prefix = tensorPrefix(s.layer());
        double[][] x = Arrays.stream(new double[][][] {inputs.get(0).get(prefix), inputs.get(1).get(prefix)})
            .flatMap(Arrays::stream).toArray(double[][]::new);
        Expected e = Expected.of(config, params, prefix, x);
        String what = normType + " " + s.layer();
        assertEquals(NormType.parse(normType), s.norm());
        assertEquals(128L * 32, s.elements(), what);
        assertEquals(e.mean, s.inputMean(), 1e-5, what + " mean");
        assertEquals(e.std, s.inputStd(), 1e-5 * e.std, what + " std");
        assertEquals(e.alpha, s.alpha(), 1e-5 * e.alpha, what + " alpha");
        assertEquals(e.shift, s.shift().orElse(Double.NaN), 1e-7, what + " shift");
        // an element within float rounding of the threshold may fall either side of it
        assertEquals(e.squashed, s.squashingFraction(), 3.0 / s.elements(), what + " squashing");
        assertTrue(e.squashed > 0.05 && e.squashed < 0.95, what + ": the test needs both regions, has " + e.squashed);

        long[] positions = NormDiagnosis.positions(s.elements(), NormDiagnosis.POINTS_PER_LAYER);
        assertEquals(NormDiagnosis.POINTS_PER_LAYER, s.pointInputs().length, what);
        for (int k = 0; k < positions.length; k++) {
          int token = (int) (positions[k] / 32);
          int channel = (int) (positions[k] % 32);
          assertEquals(x[token][channel], s.pointInputs()[k], 1e-5, what + " point " + k + " input");
          assertEquals(e.beforeAffine[token][channel], s.pointOutputs()[k], 1e-4, what + " point " + k + " output");
        }
        s.learnedCurve().ifPresent(curve -> {
          for (int k = 0; k < positions.length; k++) {
            assertEquals(s.pointOutputs()[k], curve.applyAsDouble(s.pointInputs()[k]), 1e-4, what + " on its curve");
          }
        });
        assertEquals(s.learnsAlpha(), s.learnedCurve().isPresent(), what);
      }
    }
  }

  @Test
  void pointPositionsAreDistinctSortedAndCoverTheRange() {
    long[] p = NormDiagnosis.positions(1_000_000, 3000);
    assertEquals(3000, p.length);
    for (int i = 1; i < p.length; i++) {
      assertTrue(p[i] > p[i - 1], "sorted and distinct at " + i);
    }
    assertTrue(p[0] >= 0 && p[0] < 10_000 && p[p.length - 1] < 1_000_000 && p[p.length - 1] > 990_000, "spread over the range");
    assertEquals(10, NormDiagnosis.positions(10, 3000).length, "every element when there are fewer");
  }

  /** What the layer's statistics must be, computed from the reference's inputs in two plain passes. */
  private record Expected(double mean, double std, double alpha, double shift, double squashed, double[][] beforeAffine) {
    static Expected of(ModelConfig config, Map<String, float[]> params, String prefix, double[][] x) {
      int d = config.hiddenSize();
      double eps = config.normEps();
      long n = (long) x.length * d;
      double mean = Arrays.stream(x).flatMapToDouble(Arrays::stream).sum() / n;
      double variance = Arrays.stream(x).flatMapToDouble(Arrays::stream).map(v -> (v - mean) * (v - mean)).sum() / n;
      NormType type = config.normType();
      double alpha = type == NormType.DYT || type == NormType.DERF ? params.get(prefix + ".alpha")[0] : 0;
      double shift = type == NormType.DERF ? params.get(prefix + ".shift")[0] : Double.NaN;
      double tokenScales = 0;
      long squashed = 0;
      double[][] y = new double[x.length][d];
      for (int t = 0; t < x.length; t++) {
        double rowMean = Arrays.stream(x[t]).average().orElseThrow();
        double meanSquare = Arrays.stream(x[t]).map(v -> v * v).average().orElseThrow();
        double rowVariance = Arrays.stream(x[t]).map(v -> (v - rowMean) * (v - rowMean)).average().orElseThrow();
        double scale = switch (type) {
          case RMSNORM -> 1 / Math.sqrt(meanSquare + eps);
          case LAYERNORM -> 1 / Math.sqrt(rowVariance + eps);
          case DYT, DERF -> alpha;
        };
        tokenScales += scale;
        for (int i = 0; i < d; i++) {
          double z = switch (type) {
            case RMSNORM, DYT -> scale * x[t][i];
            case LAYERNORM -> scale * (x[t][i] - rowMean);
            case DERF -> scale * x[t][i] + shift;
          };
          squashed += Math.abs(z) > 1 ? 1 : 0;
          y[t][i] = switch (type) {
            case RMSNORM, LAYERNORM -> z;
            case DYT -> Math.tanh(z);
            case DERF -> Erf.erf(z);
          };
        }
      }
      double measuredAlpha = type == NormType.DYT || type == NormType.DERF ? alpha : tokenScales / x.length;
      return new Expected(mean, Math.sqrt(variance), measuredAlpha, shift, (double) squashed / n, y);
    }
  }

  private static String tensorPrefix(String layer) {
    if (layer.equals("final")) return "model.norm";
    String[] parts = layer.split("\\.");
    return "model.layers." + parts[0] + (parts[1].equals("attention") ? ".input_layernorm" : ".post_attention_layernorm");
  }

  static int[][] randomWindows(int count, int length, int vocab, long seed) {
    Random r = new Random(seed);
    int[][] w = new int[count][length];
    for (int[] row : w) {
      Arrays.setAll(row, i -> r.nextInt(vocab));
    }
    return w;
  }
}
