package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Alpha0PolicyTest {

  @Test
  void tablePointsAreExact() {
    // the DyT paper's optimal alpha0 for LLaMA, one row per model width as the paper prints it:
    // width, alpha0 of the attention norm, alpha0 of the other norms
    double[][] paper = {
        {1024, 1.0, 1.0},
        {2048, 1.0, 0.5},
        {4096, 0.8, 0.2}, // LLaMA 7B
        {5120, 0.6, 0.15}, // LLaMA 13B
        {8192, 0.2, 0.05}, // LLaMA 34B and 70B
    };
    for (double[] row : paper) {
      Alpha0Policy p = Alpha0Policy.forWidth((int) row[0]);
      assertEquals(row[1], p.attention(), 0.0, "attention at " + (int) row[0]);
      assertEquals(row[2], p.other(), 0.0, "other at " + (int) row[0]);
    }
  }

  @Test
  void betweenPointsIsLinearInLog2Width() {
    // 2^11.5 lies halfway between 2048 and 4096 in log2: the mean of their values.
    Alpha0Policy p = Alpha0Policy.forWidth((int) Math.round(Math.pow(2, 11.5)));
    assertEquals(0.9, p.attention(), 1e-3);
    assertEquals(0.35, p.other(), 1e-3);
  }

  @Test
  void otherIsNonIncreasingInWidthAndTheTableIsClampedOutside() {
    // the paper's trend for the MLP and final norms (smaller models, larger alpha0) holds through the
    // measured rows below 1024; attention's measured best (0.5) lies below the paper's 1.0 there
    double prevO = Double.MAX_VALUE;
    for (int w = 64; w <= 16384; w += 64) {
      Alpha0Policy p = Alpha0Policy.forWidth(w);
      assertTrue(p.other() <= prevO, "not monotone at width " + w);
      prevO = p.other();
    }
    assertEquals(0.5, Alpha0Policy.forWidth(32).attention(), 0.0);
    assertEquals(8.0, Alpha0Policy.forWidth(32).other(), 0.0);
    assertEquals(0.2, Alpha0Policy.forWidth(16384).attention(), 0.0);
    assertEquals(0.05, Alpha0Policy.forWidth(16384).other(), 0.0);
  }

  @Test
  void configValuesOverrideThePolicy() {
    var both = Alpha0Policy.of(TinyModels.config("model.hidden_size=4096", "model.num_heads=32",
        "model.num_kv_heads=8", "model.alpha0_attention=0.3", "model.alpha0_other=0.7"));
    assertEquals(0.3, both.attention(), 0.0);
    assertEquals(0.7, both.other(), 0.0);
    assertEquals("config", both.source());
    var one = Alpha0Policy.of(TinyModels.config("model.hidden_size=4096", "model.num_heads=32",
        "model.num_kv_heads=8", "model.alpha0_other=0.7"));
    assertEquals(0.8, one.attention(), 0.0, "the policy fills what the config leaves out");
    assertEquals(0.7, one.other(), 0.0);
  }

  @Test
  void modelInitialisesAlphaFromThePolicy() {
    try (Llama model = Llama.init(TinyModels.config("model.alpha0_attention=0.4"), 1)) {
      assertEquals(0.4f, model.parameters().get("model.layers.1.input_layernorm.alpha").getFloat(), 0f);
      // the policy's other at width 32 (clamped below its first row, 64)
      assertEquals(8.0f, model.parameters().get("model.layers.1.post_attention_layernorm.alpha").getFloat(), 0f);
      assertEquals(8.0f, model.parameters().get("model.norm.alpha").getFloat(), 0f);
      assertEquals((float) Math.sqrt(32), model.parameters().get("model.embed_scale").getFloat(), 0f);
    }
  }

  /** Derf scales embeddings as DyT does (sqrt of the width), starts its shift at 0; rmsnorm has no scale. */
  @Test
  void derfHasEmbedScaleAndZeroShiftAndRmsnormNeither() {
    try (Llama model = Llama.init(TinyModels.config("model.norm_type=derf", "model.hidden_size=64", "model.intermediate_size=96"), 1)) {
      assertEquals((float) Math.sqrt(64), model.parameters().get("model.embed_scale").getFloat(), 0f);
      assertEquals(0f, model.parameters().get("model.norm.shift").getFloat(), 0f);
    }
    try (Llama model = Llama.init(TinyModels.config("model.norm_type=rmsnorm"), 1)) {
      assertEquals(false, model.parameters().all().containsKey("model.embed_scale"));
    }
  }
}
