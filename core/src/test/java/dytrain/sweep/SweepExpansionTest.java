package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.ConfigLoader;
import dytrain.config.DytrainException;
import dytrain.config.NormType;
import dytrain.train.LrSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepExpansionTest {

  static final Path TINY = Path.of("../configs/tiny.yaml").toAbsolutePath();

  @TempDir Path dir;

  Path sweep(String body) throws Exception {
    Path file = dir.resolve("sweep.yaml");
    Files.writeString(file, "base: " + TINY + "\n" + body);
    return file;
  }

  @Test
  void listEntriesCrossTheGridInOrderWithDerivedShapes() throws Exception {
    Path file = sweep("""
        set:
          train.lr: 0.002
        grid:
          model.norm_type: [rmsnorm, dyt]
          seed: [1, 2]
        list:
          - {model.hidden_size: 64}
          - {model.hidden_size: 96, model.num_layers: 1}
        derive:
          head_dim: 16
          kv_group: 2
          intermediate_size: llama
        """);
    List<Trial> trials = SweepExpansion.expand(file, c -> DatasetIdentity.NONE);
    assertEquals(8, trials.size());
    // the list is the outer loop, the grid's last key varies fastest
    assertEquals(List.of("64 rmsnorm 1", "64 rmsnorm 2", "64 dyt 1", "64 dyt 2", "96 rmsnorm 1", "96 rmsnorm 2",
        "96 dyt 1", "96 dyt 2"), trials.stream().map(t -> t.config().model().hiddenSize() + " "
        + t.config().model().normType().key() + " " + t.config().seed()).toList());
    Trial wide = trials.get(4);
    assertEquals(6, wide.config().model().numHeads(), "96 / head_dim 16");
    assertEquals(3, wide.config().model().numKvHeads(), "6 heads / kv_group 2");
    assertEquals(256, wide.config().model().intermediateSize(), "8/3 x 96 = 256, a multiple of 8");
    assertEquals(176, trials.get(0).config().model().intermediateSize(), "8/3 x 64 = 170.7, up to 176");
    assertEquals(1, wide.config().model().numLayers());
    assertEquals(0.002, wide.config().train().lr());
    for (Trial t : trials) {
      // a trial is its base config with its overrides given as --set arguments
      assertEquals(ConfigLoader.load(TINY, t.setArguments()), t.config(), t.setArguments().toString());
      assertEquals(t.index(), trials.indexOf(t));
    }
    assertEquals(8, trials.stream().map(Trial::id).collect(Collectors.toSet()).size());
  }

  @Test
  void budgetsMakeAWsdTrunkToTheLargestWithItsWarmupPinned() throws Exception {
    // tiny.yaml: max_seq_len 64, micro_batch_size 8 and no global batch: 512 tokens per step
    Path file = sweep("budgets: [5.12e4, 204800]\n");
    Trial t = SweepExpansion.expand(file, c -> DatasetIdentity.NONE).get(0);
    assertEquals(400, t.config().train().steps());
    assertEquals("wsd", t.config().train().schedule());
    assertEquals(40, t.overrides().get("train.warmup_steps").asInt(), "min(100, 400 / 10), kept for the 100-step branch");
    assertEquals(List.of(51200L, 204800L), t.budgets());
    assertEquals(List.of(80), t.plan().forkSteps());
    for (CooldownPlan.Branch b : t.plan().branches()) {
      // a branch launched as its own run (the trial's overrides, steps = the budget's) has the plan's rates
      LrSchedule standalone = LrSchedule.of(ConfigLoader.load(TINY, t.setArguments(b)).train());
      for (int step = 0; step < b.steps(); step++) {
        assertEquals(t.plan().lr(b, step), standalone.at(step), 1e-15, "budget " + b.tokens() + " step " + step);
      }
    }
  }

  @Test
  void aRerunGivesTheSameIdsAndAnotherDatasetOthers() throws Exception {
    Path file = sweep("grid:\n  seed: [1, 2]\n");
    List<String> first = SweepExpansion.expand(file, c -> "abc").stream().map(Trial::id).toList();
    assertEquals(first, SweepExpansion.expand(file, c -> "abc").stream().map(Trial::id).toList());
    List<String> other = SweepExpansion.expand(file, c -> "abd").stream().map(Trial::id).toList();
    assertTrue(first.stream().noneMatch(other::contains));
  }

  @Test
  void mistakesInTheSweepFileAreNamed() throws Exception {
    assertMessage(sweep("gird:\n  seed: [1]\n"), "sweep.yaml", "unknown config key 'gird'", "grid");
    assertMessage(sweep("grid:\n  model.hiden_size: [64]\n"), "trial 0", "unknown config key 'model.hiden_size'");
    assertMessage(sweep("grid:\n  model.hidden_size: [abc]\n"), "trial 0", "model.hidden_size must be an integer");
    assertMessage(sweep("grid:\n  seed: 3\n"), "grid.seed must be a non-empty list");
    assertMessage(sweep("set:\n  model: {hidden_size: 64}\n"), "set.model = {", "one value per key path");
    assertMessage(sweep("set:\n  seed: 1\ngrid:\n  seed: [2]\n"), "'seed' is given in grid: and in set:");
    assertMessage(sweep("grid:\n  seed: [1, 1]\n"), "trials 0 and 1 resolve to the same config");
    assertMessage(sweep("set:\n  train.steps: 5\nbudgets: [1000]\n"), "train.steps is set by the sweep (budgets:)");
    assertMessage(sweep("list:\n  - {model.hidden_size: 40}\nderive:\n  head_dim: 16\n"),
        "derive.head_dim = 16 must divide model.hidden_size = 40");
    assertMessage(sweep("set:\n  train.warmup_steps: 10\nbudgets: [2560, 51200]\n"), "trial 0", "inside train.warmup_steps = 10");
  }

  @Test
  void aGridValueKeepsItsYamlType() throws Exception {
    Path file = sweep("grid:\n  model.norm_type: [derf]\n  train.lr: [1.0e-3]\n  model.norm_bias: [true]\n");
    Trial t = SweepExpansion.expand(file, c -> DatasetIdentity.NONE).get(0);
    assertEquals(NormType.DERF, t.config().model().normType());
    assertEquals(1e-3, t.config().train().lr());
    assertTrue(t.config().model().normBias());
  }

  @Test
  void theShippedSweepExpands() {
    // paths in sweep files are relative to the repository root, where dytrain runs; tests run in core/
    SweepSpec shipped = SweepSpec.read(Path.of("../configs/sweeps/norms-width.yaml"));
    SweepSpec here = new SweepSpec("../" + shipped.base(), shipped.set(), shipped.grid(), shipped.list(), shipped.derive(),
        shipped.budgets(), shipped.ranks(), shipped.maxAttempts());
    List<Trial> trials = SweepExpansion.expand(here, "norms-width.yaml", c -> DatasetIdentity.NONE);
    assertEquals(9, trials.size());
    Trial widest = trials.get(8);
    assertEquals(6, widest.config().model().numHeads());
    assertEquals(6, widest.config().model().numKvHeads());
    assertEquals(1024, widest.config().model().intermediateSize());
    assertEquals(List.of(80, 160), widest.plan().forkSteps());
  }

  private static void assertMessage(Path file, String... parts) {
    String message = assertThrows(DytrainException.class,
        () -> SweepExpansion.expand(file, c -> DatasetIdentity.NONE)).getMessage();
    for (String part : parts) assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
  }
}
