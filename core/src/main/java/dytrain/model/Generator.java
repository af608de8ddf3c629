package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Autoregressive sampling: temperature, then top-k, from the last position's logits. Each new token reruns
 * the model on the (window of the) whole context; there is no KV cache, which is fine at the sizes a CPU
 * trains. Temperature 0 is greedy decoding.
 */
public final class Generator {

  private final Llama model;
  private final Random random;

  public Generator(Llama model, long seed) {
    this.model = model;
    this.random = new Random(seed);
  }

  /**
   * Samples up to {@code maxNewTokens} after {@code prompt}, stopping after {@code stopId}. Only ids
   * {@code drawable} accepts are drawn (the tokenizer's {@code canDecode}): a model may have more rows than
   * its tokenizer has ids (a padded vocabulary), and some vocabularies leave gaps below their size.
   */
  public int[] continueFrom(int[] prompt, int maxNewTokens, double temperature, int topK, int stopId,
      IntPredicate drawable) {
    int[] tokens = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
    int length = prompt.length;
    int window = model.config().maxSeqLen();
    while (length < tokens.length) {
      int from = Math.max(0, length - window);
      float[] logits = lastLogits(Arrays.copyOfRange(tokens, from, length));
      for (int i = 0; i < logits.length; i++) {
        if (!drawable.test(i)) logits[i] = Float.NEGATIVE_INFINITY;
      }
      int next = sample(logits, temperature, topK);
      tokens[length++] = next;
      if (next == stopId) {
        break;
      }
    }
    return Arrays.copyOfRange(tokens, prompt.length, length);
  }

  private float[] lastLogits(int[] context) {
    long[] ids = Arrays.stream(context).asLongStream().toArray();
    try (NDScope scope = new NDScope(); Autograd off = Autograd.noGrad()) {
      NDArray logits = model.forward(Tensors.of(model.parameters().manager(), ids, new Shape(1, ids.length)));
      return logits.get(new NDIndex("0, -1, :")).toFloatArray();
    }
  }

  int sample(float[] logits, double temperature, int topK) {
    if (temperature <= 0) {
      int best = 0;
      for (int i = 1; i < logits.length; i++) {
        if (logits[i] > logits[best]) {
          best = i;
        }
      }
      return best;
    }
    float threshold = Float.NEGATIVE_INFINITY;
    if (topK > 0 && topK < logits.length) {
      float[] sorted = logits.clone();
      Arrays.sort(sorted);
      threshold = sorted[sorted.length - topK];
    }
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = logits[i] < threshold ? 0 : Math.exp((logits[i] - max) / temperature);
      sum += p[i];
    }
    double u = random.nextDouble() * sum;
    for (int i = 0; i < p.length; i++) {
      u -= p[i];
      if (u <= 0 && p[i] > 0) {
        return i;
      }
    }
    return logits.length - 1;
  }
}
