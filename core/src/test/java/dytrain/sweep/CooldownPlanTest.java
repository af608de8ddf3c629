package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.train.LrSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CooldownPlanTest {

  static final Path TINY = Path.of("../configs/tiny.yaml");
  static final List<String> WSD = List.of("train.schedule=wsd", "train.lr=0.002", "train.min_lr_ratio=0.05",
      "train.warmup_steps=20", "train.decay_fraction=0.2", "train.seq_len=32", "train.micro_batch_size=4");

  @Test
  void everyBranchRunsTheRatesOfAStandaloneRunToItsBudget() {
    long tokensPerStep = 4 * 32;
    List<Long> budgets = List.of(100 * tokensPerStep, 250 * tokensPerStep + 50, 1000 * tokensPerStep);
    DytrainConfig trunk = load(WSD, "train.steps=1000");
    CooldownPlan plan = CooldownPlan.of(trunk.train(), tokensPerStep, budgets);
    assertEquals(List.of(100, 250, 1000), plan.branches().stream().map(CooldownPlan.Branch::steps).toList(),
        "a budget is rounded to whole steps");
    for (CooldownPlan.Branch b : plan.branches()) {
      // the independent computation: the config of a separate run to this budget, through the loader
      LrSchedule standalone = LrSchedule.of(load(WSD, "train.steps=" + b.steps()).train());
      for (int step = 0; step < b.steps(); step++) {
        assertEquals(standalone.at(step), plan.lr(b, step), 1e-15, "budget " + b.tokens() + " step " + step);
        assertEquals(standalone.at(step), plan.schedule(b).at(step), 1e-15);
      }
      // before its branch point a branch is on the trunk: the same rates as the largest budget's run
      CooldownPlan.Branch last = plan.branches().get(2);
      for (int step = 0; step < b.branchStep(); step++) {
        assertEquals(plan.lr(last, step), plan.lr(b, step), 0.0);
      }
      assertTrue(plan.lr(b, b.branchStep()) <= plan.peak());
      assertTrue(plan.lr(b, b.branchStep() + 1) < plan.peak(), "the cooldown has started");
    }
    assertEquals(List.of(80, 200), plan.forkSteps());
    assertEquals(1000, plan.totalSteps());
  }

  @Test
  void budgetsThatCannotBranchAreRefusedWithTheReason() {
    DytrainConfig trunk = load(WSD, "train.steps=1000");
    assertMessage(() -> CooldownPlan.of(trunk.train(), 128, List.of(128L * 10)), "inside train.warmup_steps = 20");
    assertMessage(() -> CooldownPlan.of(trunk.train(), 128, List.of(128L * 100, 128L * 100 + 10)), "must increase");
    DytrainConfig cosine = load(List.of("train.steps=1000"));
    assertMessage(() -> CooldownPlan.of(cosine.train(), 128, List.of(128L * 100)), "train.schedule = wsd");
  }

  static DytrainConfig load(List<String> overrides, String... more) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(List.of(more));
    return ConfigLoader.load(TINY, all);
  }

  static void assertMessage(Executable e, String part) {
    String message = assertThrows(DytrainException.class, e).getMessage();
    assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
  }
}
