package dytrain.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigErrorsTest {

  static final Path TINY = Path.of("../configs/tiny.yaml");

  static String error(String... overrides) {
    return assertThrows(DytrainException.class, () -> ConfigLoader.load(TINY, List.of(overrides))).getMessage();
  }

  static void assertMentions(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }
  }

  @Test
  void overridesApplyByKeyPath() {
    DytrainConfig c = ConfigLoader.load(TINY, List.of("model.norm_type=derf", "seed=11", "model.rope_theta=500"));
    assertEquals(NormType.DERF, c.model().normType());
    assertEquals(11L, c.seed());
    assertEquals(500.0, c.model().ropeTheta());
  }

  @Test
  void dilocoRunsEndAndCheckpointOnOuterSteps() {
    assertMentions(error("distributed.sync=diloco", "distributed.inner_steps=5", "train.checkpoint_every=10",
        "train.steps=12"), "train.steps = 12", "distributed.inner_steps = 5");
    assertMentions(error("distributed.sync=diloco", "distributed.inner_steps=5", "train.checkpoint_every=7",
        "train.steps=10"), "train.checkpoint_every = 7", "distributed.inner_steps = 5");
  }

  @Test
  void aKeyGivenTwiceIsAnErrorNotTheLastOneWinning(@TempDir Path dir) throws Exception {
    Path twice = dir.resolve("twice.yaml");
    Files.writeString(twice, "model:\n  hidden_size: 32\n  hidden_size: 64\n");
    String message = assertThrows(DytrainException.class, () -> ConfigLoader.load(twice, List.of())).getMessage();
    assertMentions(message, "twice.yaml", "key 'hidden_size' is given twice", "line 3");
    Files.writeString(twice, "model:\n  hidden_size: 32\n\nnot yaml: [\n");
    assertMentions(assertThrows(DytrainException.class, () -> ConfigLoader.load(twice, List.of())).getMessage(),
        "twice.yaml is not valid YAML", "line");
  }

  @Test
  void ranksThatCannotShareTheGlobalBatchAreNamedWithTheFix() {
    assertMentions(error("distributed.ranks=2", "train.micro_batch_size=4", "train.seq_len=32"),
        "train.global_batch_tokens is not set", "distributed.ranks = 2", "micro_batch_size x seq_len x ranks = 256");
    assertMentions(error("distributed.ranks=3", "train.micro_batch_size=4", "train.seq_len=32", "train.global_batch_tokens=256"),
        "global batch of 8 sequences", "distributed.ranks = 3 equal parts");
  }

  @Test
  void unknownKeyIsNamedWithTheAllowedKeys() {
    assertMentions(error("model.hidden_sise=64"), "unknown config key 'model.hidden_sise'", "hidden_size", "tiny.yaml");
    assertMentions(error("trainer=1"), "unknown config key 'trainer'", "model");
  }

  @Test
  void wrongTypeNamesTheKeyAndTheType() {
    assertMentions(error("model.hidden_size=big"), "model.hidden_size", "integer");
    assertMentions(error("model.hidden_size=32.5"), "model.hidden_size", "integer");
    assertMentions(error("model.tie_embeddings=maybe"), "model.tie_embeddings", "boolean");
  }

  @Test
  void nonPositiveSizesAreRefused() {
    assertMentions(error("model.hidden_size=0"), "model.hidden_size = 0 must be positive");
    assertMentions(error("model.num_layers=-2"), "model.num_layers = -2 must be positive");
    assertMentions(error("model.vocab_size=null"), "model.vocab_size is required");
    assertMentions(error("model.intermediate_size=0"), "model.intermediate_size = 0 must be positive");
    assertMentions(error("model.num_heads=0"), "model.num_heads = 0 must be positive");
    assertMentions(error("model.num_kv_heads=-1"), "model.num_kv_heads = -1 must be positive");
    assertMentions(error("model.max_seq_len=0"), "model.max_seq_len = 0 must be positive");
    assertMentions(error("train.micro_batch_size=0"), "train.micro_batch_size = 0 must be positive");
  }

  @Test
  void headsMustDivideWidth() {
    assertMentions(error("model.num_heads=5", "model.num_kv_heads=5"), "model.num_heads = 5 must divide model.hidden_size = 32");
  }

  @Test
  void kvHeadsMustDivideHeads() {
    assertMentions(error("model.num_kv_heads=3"), "model.num_kv_heads = 3 must divide model.num_heads = 4");
  }

  @Test
  void unknownNormTypeListsTheAllowedOnes() {
    assertMentions(error("model.norm_type=batchnorm"), "model.norm_type", "batchnorm", "rmsnorm, layernorm, dyt, derf");
  }

  @Test
  void float16IsRefusedNamingTheKeyAndTheAllowedDtypes() {
    assertMentions(error("model.dtype=float16"), "model.dtype = float16", "float32, bfloat16");
  }

  @Test
  void unknownDtypeIsRefusedNamingTheKey() {
    assertMentions(error("model.dtype=fp8"), "model.dtype = 'fp8'", "float32, bfloat16");
  }

  @Test
  void malformedSetIsRefused() {
    assertMentions(error("model.hidden_size"), "--set model.hidden_size", "key.path=value");
  }

  @Test
  void missingFileIsNamed() {
    var e = assertThrows(DytrainException.class, () -> ConfigLoader.load(Path.of("nope.yaml"), List.of()));
    assertMentions(e.getMessage(), "nope.yaml", "does not exist");
  }
}
