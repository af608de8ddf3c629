package dytrain.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dytrain.config.DytrainConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run of a sweep, fully resolved.
 *
 * @param index its place in the sweep's expansion order (0-based)
 * @param id its {@link TrialId}: its run folder's name, and how a rerun knows it is finished
 * @param overrides the key paths the sweep set on the base config, in order (derived keys included)
 * @param plan the cooldown branches for the sweep's budgets; null without budgets (one run to train.steps)
 * @param maxAttempts launches before the trial is recorded as failed
 */
public record Trial(int index, String id, Map<String, JsonNode> overrides, DytrainConfig config, CooldownPlan plan,
    int maxAttempts) {

  public Trial {
    overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
  }

  /** The overrides as {@code --set key=value} arguments; each value is JSON, which YAML reads back unchanged. */
  public List<String> setArguments() {
    return overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  /**
   * The overrides of a standalone run to one budget: the trial's with train.steps = the branch's steps. A
   * branch is this run resumed from the trunk's checkpoint at {@code branch.branchStep()}; its schedule is
   * then the plan's for that branch (the trainer resumes with a changed train.steps).
   */
  public List<String> setArguments(CooldownPlan.Branch branch) {
    if (plan == null || !plan.branches().contains(branch)) {
      throw new IllegalArgumentException("trial " + id + " has no branch " + branch);
    }
    return overrides.entrySet().stream()
        .map(e -> e.getKey() + "=" + (e.getKey().equals("train.steps") ? String.valueOf(branch.steps()) : e.getValue()))
        .toList();
  }

  /** The trial's run folder in a sweep folder: named by id, so a rerun finds it. */
  public String runDir(String sweepDir) {
    return sweepDir + "/trials/" + id;
  }

  /** The budgets this trial reports, in tokens as trained; without budgets, train.steps' tokens. */
  public List<Long> budgets() {
    if (plan != null) {
      return plan.branches().stream().map(CooldownPlan.Branch::tokens).toList();
    }
    return List.of((long) config.train().steps() * config.globalBatchSequences() * config.seqLen());
  }
}
