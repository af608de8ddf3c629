package dytrain.sweep;

import dytrain.config.DytrainException;
import dytrain.config.TrainConfig;
import dytrain.train.LrSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * Several token budgets from one run (Hägele et al. 2024, sec. 4): a warmup-stable-decay trunk holds the
 * peak rate, and for each budget D a cooldown branches off the trunk at the step where a standalone WSD
 * run to D would start its decay, decaying linearly to the floor over the last {@code decay_fraction} of
 * D's steps. Every branch's rates equal the standalone run's step for step, so one trunk gives the
 * final losses of all budgets at the cost of the largest plus the short cooldowns. The largest budget's
 * branch is the trunk's own decay.
 *
 * @param peak the trunk's rate after warmup (train.lr)
 * @param floor the rate a cooldown ends at (train.lr * min_lr_ratio)
 * @param branches in increasing budget order
 */
public record CooldownPlan(int warmup, double peak, double floor, double decayFraction, List<Branch> branches) {

  /**
   * One budget.
   *
   * @param tokens the budget as trained: steps x tokens per step (the requested one rounded to whole steps)
   * @param steps the length of a standalone run to this budget
   * @param branchStep the first step whose rate is below the peak: the trunk is checkpointed before it
   * @param cooldownSteps steps from the branch point to the end, round(decay_fraction x steps)
   */
  public record Branch(long tokens, int steps, int branchStep, int cooldownSteps) {}

  public CooldownPlan {
    branches = List.copyOf(branches);
  }

  /**
   * The plan for budgets in tokens under a WSD {@code train} section whose warmup applies to every branch.
   *
   * @param tokensPerStep tokens of one optimizer step (global batch sequences x seq_len)
   */
  public static CooldownPlan of(TrainConfig train, long tokensPerStep, List<Long> budgets) {
    if (!train.schedule().equals("wsd")) {
      throw new DytrainException("budgets need train.schedule = wsd (cooldown branches of one run); it is " + train.schedule());
    }
    if (budgets.isEmpty()) {
      throw new DytrainException("budgets: give at least one token budget");
    }
    List<Branch> branches = new ArrayList<>();
    for (long budget : budgets) {
      long steps = Math.round((double) budget / tokensPerStep);
      if (steps < 1 || steps > Integer.MAX_VALUE) {
        throw new DytrainException("budgets: " + budget + " tokens is " + steps + " steps of " + tokensPerStep
            + " tokens; a budget needs between 1 and " + Integer.MAX_VALUE + " steps");
      }
      int cooldown = (int) Math.round(train.decayFraction() * steps);
      int branchStep = (int) steps - cooldown;
      if (!branches.isEmpty() && steps <= branches.get(branches.size() - 1).steps()) {
        throw new DytrainException("budgets must increase by at least one step (" + tokensPerStep + " tokens): "
            + budget + " follows " + branches.get(branches.size() - 1).tokens());
      }
      if (branchStep < train.warmupSteps()) {
        throw new DytrainException("budgets: " + budget + " tokens (" + steps + " steps) would start its cooldown at step "
            + branchStep + ", inside train.warmup_steps = " + train.warmupSteps() + "; use larger budgets or a shorter warmup");
      }
      branches.add(new Branch(steps * tokensPerStep, (int) steps, branchStep, cooldown));
    }
    return new CooldownPlan(train.warmupSteps(), train.lr(), train.lr() * train.minLrRatio(), train.decayFraction(), branches);
  }

  /** Steps of the largest budget: what the trunk trains. */
  public int totalSteps() {
    return branches.get(branches.size() - 1).steps();
  }

  /**
   * The rate of step {@code step} (0-based) on the way to {@code branch}: the warmup ramp, the peak until
   * the branch point, then linear to the floor, reaching it one step after the last (as LrSchedule does).
   */
  public double lr(Branch branch, long step) {
    if (step < warmup) {
      return peak * (step + 1) / warmup;
    }
    if (step < branch.branchStep()) {
      return peak;
    }
    double progress = Math.min(1, (double) (step - branch.branchStep()) / Math.max(1, branch.cooldownSteps()));
    return peak + progress * (floor - peak);
  }

  /** The schedule a trainer runs on a branch, resumed from the trunk's checkpoint at its branch point. */
  public LrSchedule schedule(Branch branch) {
    return new LrSchedule(peak, floor, warmup, branch.steps(), true, decayFraction);
  }

  /** Steps at which the trunk must be checkpointed for the other branches to start from (all but the last). */
  public List<Integer> forkSteps() {
    return branches.subList(0, branches.size() - 1).stream().map(Branch::branchStep).toList();
  }
}
