package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dytrain.config.ModelConfig;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelMatchesReferenceTest {

  static final int[] TOKENS = {3, 17, 42, 5, 63, 0, 9, 9, 31, 12, 50, 2};

  /** Each norm with a bias and an untied head; and the configs' own setting (no bias, tied head). */
  @ParameterizedTest
  @ValueSource(strings = {"rmsnorm", "layernorm", "dyt", "derf", "dyt tied", "derf tied", "rmsnorm tied"})
  void tokenNllMatchesPlainJavaForward(String variant) {
    String[] v = variant.split(" ");
    boolean tied = v.length > 1;
    ModelConfig config = TinyModels.config("model.norm_type=" + v[0], "model.norm_bias=" + !tied, "model.tie_embeddings=" + tied);
    try (Llama model = Llama.init(config, 11); NDScope scope = new NDScope()) {
      TinyModels.perturb(model, 5);
      int[] inputs = Arrays.copyOf(TOKENS, TOKENS.length - 1);
      int[] targets = Arrays.copyOfRange(TOKENS, 1, TOKENS.length);
      float[] nll;
      try (Autograd off = Autograd.noGrad()) {
        NDManager m = model.parameters().manager();
        NDArray in = m.create(inputs, new Shape(1, inputs.length)).toType(DataType.INT64, false);
        NDArray tg = m.create(targets, new Shape(1, targets.length)).toType(DataType.INT64, false);
        nll = model.tokenNll(in, tg).toFloatArray();
      }
      double[] expected = new ReferenceLlama(config, TinyModels.floats(model)).nll(inputs, targets);
      assertEquals(expected.length, nll.length);
      for (int t = 0; t < nll.length; t++) {
        assertEquals(expected[t], nll[t], 1e-4, "position " + t);
      }
    }
  }

  /** Causality of the fused attention kernel, in both dtypes: exactly equal, not merely close. */
  @ParameterizedTest
  @ValueSource(strings = {"float32", "bfloat16"})
  void changingATokenLeavesEarlierLogitsUnchanged(String dtype) {
    ModelConfig config = TinyModels.config("model.dtype=" + dtype);
    try (Llama model = Llama.init(config, 3); NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      NDManager m = model.parameters().manager();
      int changed = 6;
      int[] other = TOKENS.clone();
      other[changed] = (other[changed] + 1) % config.vocabSize();
      float[] a = model.forward(m.create(toLong(TOKENS), new Shape(1, TOKENS.length))).toFloatArray();
      float[] b = model.forward(m.create(toLong(other), new Shape(1, other.length))).toFloatArray();
      int v = config.vocabSize();
      assertArrayEquals(
          Arrays.copyOf(a, changed * v), Arrays.copyOf(b, changed * v), 0f);
      boolean laterDiffer = false;
      for (int i = changed * v; i < a.length; i++) {
        laterDiffer |= a[i] != b[i];
      }
      assertEquals(true, laterDiffer, "logits at and after the changed token must change");
    }
  }

  static long[] toLong(int[] x) {
    long[] out = new long[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }
}
