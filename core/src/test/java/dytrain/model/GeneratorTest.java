package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  private static final float[] LOGITS = {0.5f, 2.0f, -1.0f, 1.0f, 1.9f};

  @Test
  void temperatureZeroAndTopOneAreGreedy() {
    Generator g = new Generator(null, 1);
    assertEquals(1, g.sample(LOGITS, 0, 0));
    for (int i = 0; i < 100; i++) assertEquals(1, g.sample(LOGITS, 1.5, 1));
  }

  @Test
  void topKDrawsOnlyTheKBestInSoftmaxProportions() {
    Generator g = new Generator(null, 7);
    int[] counts = new int[LOGITS.length];
    int draws = 200_000;
    for (int i = 0; i < draws; i++) counts[g.sample(LOGITS, 0.5, 2)]++;
    assertEquals(0, counts[0] + counts[2] + counts[3], "only ids 1 and 4 are in the top 2");
    // p(1) / p(4) = exp((2.0 - 1.9) / 0.5)
    double expected = Math.exp(0.1 / 0.5) / (1 + Math.exp(0.1 / 0.5));
    assertEquals(expected, counts[1] / (double) draws, 0.005);
  }

  @Test
  void temperatureFlattensTheDistribution() {
    Generator g = new Generator(null, 3);
    int draws = 100_000;
    int cold = 0;
    int hot = 0;
    for (int i = 0; i < draws; i++) {
      if (g.sample(LOGITS, 0.3, 0) == 1) cold++;
      if (g.sample(LOGITS, 3.0, 0) == 1) hot++;
    }
    double z3 = 0;
    for (float l : LOGITS) z3 += Math.exp((l - 2.0) / 3.0);
    assertEquals(1 / z3, hot / (double) draws, 0.01, "at temperature 3, p(best) = softmax(logits / 3)[1]");
    assertTrue(cold > hot, cold + " vs " + hot);
  }

  @Test
  void theSameSeedGivesTheSameDraws() {
    int[] a = new int[50];
    int[] b = new int[50];
    Generator ga = new Generator(null, 42);
    Generator gb = new Generator(null, 42);
    for (int i = 0; i < 50; i++) {
      a[i] = ga.sample(LOGITS, 1.0, 0);
      b[i] = gb.sample(LOGITS, 1.0, 0);
    }
    assertArrayEquals(a, b);
  }

  @Test
  void drawsOnlyIdsTheTokenizerHasAndStopsAtTheStopId() {
    try (Llama model = Llama.init(TinyModels.config(), 3)) {
      int[] out = new Generator(model, 5).continueFrom(new int[] {1, 2, 3}, 40, 2.0, 0, -1, id -> id < 10 && id != 4);
      assertEquals(40, out.length);
      for (int id : out) assertTrue(id >= 0 && id < 10 && id != 4, "id " + id + " is not one the tokenizer has");
      int[] greedy = new Generator(model, 5).continueFrom(new int[] {1, 2, 3}, 40, 0, 0, -1, id -> true);
      int stop = greedy[2];
      int[] stopped = new Generator(model, 5).continueFrom(new int[] {1, 2, 3}, 40, 0, 0, stop, id -> true);
      assertTrue(stopped.length <= 3 && stopped[stopped.length - 1] == stop, Arrays.toString(stopped));
    }
  }
}
