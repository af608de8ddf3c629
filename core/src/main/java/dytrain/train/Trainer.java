package dytrain.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.data.TrainingBatches;
import dytrain.model.Autograd;
import dytrain.model.Llama;
import dytrain.model.ModelSize;
import dytrain.model.Tensors;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The train loop, and only the loop: each step reads this rank's micro-batches, accumulates gradients,
 * averages them across ranks, guards against NaN, clips, updates, then evaluates and checkpoints on
 * schedule. The work lives in the components it is given.
 */
public final class Trainer {

  /**
   * What one rank trains with. Rank 0 writes the checkpoints; other ranks write only their own optimizer
   * state, and only when it is their own ({@link GradientSync#perRankOptimizerState}).
   */
  public record Parts(
      int rank,
      DytrainConfig config,
      Llama model,
      AdamW optimizer,
      TrainingBatches batches,
      Evaluator evaluator,
      GradientSync sync,
      CheckpointStore checkpoints,
      MetricsLog metrics,
      Map<String, byte[]> checkpointFiles,
      double peakFlops) {}

  /** Called after every step and evaluation: progress bars, driver-side metrics. */
  public interface Listener {
    void onStep(StepMetrics m);

    default void onEval(long step, double loss) {}

    default void onCheckpoint(long step, String where) {}
  }

  private final Parts p;
  private final Listener listener;
  private final LrSchedule schedule;
  private final Collection<NDArray> params;
  private final double flopsPerToken;
  private TrainState state;
  /** The step of the checkpoint this run resumed from or last wrote; -1 for none. */
  private long lastCheckpointStep;

  public Trainer(Parts parts, TrainState start, Listener listener) {
    this.p = parts;
    this.listener = listener;
    this.state = start;
    this.schedule = LrSchedule.of(parts.config().train());
    this.params = parts.model().parameters().all().values();
    this.flopsPerToken = ModelSize.of(parts.config().model()).trainingFlopsPerToken(parts.config().seqLen());
    this.lastCheckpointStep = start.step() > 0 ? start.step() : -1;
  }

  /** Trains until {@code train.steps}; returns the final state. */
  public TrainState run() throws IOException {
    var t = p.config().train();
    p.sync().start(params);
    while (state.step() < t.steps()) {
      StepMetrics m = step(state.step());
      listener.onStep(m);
      if (p.metrics() != null) {
        p.metrics().add(m);
        p.metrics().maybeFlush();
      }
      long done = state.step();
      if (done % t.evalEvery() == 0 || done == t.steps()) {
        evaluate(done);
      }
      // No checkpoint inside a streak of NaN steps (on any rank): the last good one is what a user resumes from.
      if ((done % t.checkpointEvery() == 0 || done == t.steps())
          && p.sync().onEveryRank(state.consecutiveBadSteps() == 0)) {
        checkpoint();
      }
    }
    return state;
  }

  private StepMetrics step(long step) {
    long start = System.nanoTime();
    List<int[][]> micro = p.batches().microBatches(step);
    long loaded = System.nanoTime();
    double loss = 0;
    for (int[][] windows : micro) {
      try (NDScope scope = new NDScope(); Autograd rec = Autograd.record()) {
        var mgr = p.model().parameters().manager();
        NDArray mean = p.model().loss(Batches.inputs(mgr, windows), Batches.targets(mgr, windows));
        NDArray l = mean.div(Tensors.scalar(mean, micro.size())); // k micro-batches of b = one of k*b
        Autograd.backward(l);
        loss += l.getFloat();
      }
    }
    long computed = System.nanoTime();
    p.sync().averageGradients(params);
    loss = p.sync().average(loss);
    double communication = p.sync().takeCommunicationSeconds();
    long synced = System.nanoTime();
    double lr = schedule.at(step);
    double norm = GradientClipping.clip(params, p.config().train().gradClip());
    boolean bad = !Double.isFinite(loss) || !Double.isFinite(norm);
    if (!bad) {
      p.optimizer().step(lr);
    }
    params.forEach(Autograd::zeroGradient);
    p.sync().afterUpdate(step, params);
    if (p.config().distributed().checksumEvery() > 0
        && (step + 1) % p.config().distributed().checksumEvery() == 0) {
      p.sync().checkReplicas(step, params);
    }
    long tokens = (long) p.config().globalBatchSequences() * p.config().seqLen();
    state = next(state, tokens, bad);
    double seconds = (System.nanoTime() - start) / 1e9;
    double tokensPerSecond = tokens / seconds;
    return new StepMetrics(step, loss, norm, lr, tokens, tokensPerSecond,
        flopsPerToken * tokensPerSecond / p.peakFlops(), (loaded - start) / 1e9,
        (computed - loaded) / 1e9, communication, (System.nanoTime() - synced) / 1e9, bad);
  }

  private TrainState next(TrainState s, long tokens, boolean bad) {
    int consecutive = bad ? s.consecutiveBadSteps() + 1 : 0;
    if (consecutive > p.config().train().maxBadSteps()) {
      throw new DytrainException(consecutive + " steps in a row had a NaN or infinite loss or gradient norm"
          + " (train.max_bad_steps = " + p.config().train().maxBadSteps() + "); stopping. " + whereToRestart());
    }
    return new TrainState(s.step() + 1, s.nextWindow() + p.config().globalBatchSequences(), s.dataSeed(),
        s.tokensSeen() + tokens, s.skippedUpdates() + (bad ? 1 : 0), consecutive, s.tokenizer(), s.alpha0(),
        s.config());
  }

  private String whereToRestart() {
    if (lastCheckpointStep < 0 || p.checkpoints() == null) {
      return "No checkpoint was written before it, so a rerun starts afresh; lower train.lr or raise"
          + " train.warmup_steps first.";
    }
    return "The last good checkpoint, step " + lastCheckpointStep + ", is kept in " + p.checkpoints().root()
        + "; lower train.lr or raise train.warmup_steps and resume.";
  }

  private void evaluate(long step) throws IOException {
    if (p.evaluator() == null) {
      return;
    }
    double loss = p.evaluator().loss(p.model());
    listener.onEval(step, loss);
    if (p.metrics() != null) {
      p.metrics().addEval(step, loss);
      p.metrics().flush();
    }
  }

  private void checkpoint() throws IOException {
    if (p.checkpoints() == null) {
      return;
    }
    if (p.sync().perRankOptimizerState()) {
      if (p.rank() > 0) {
        p.checkpoints().saveRankOptimizer(p.rank(), state.step(), p.optimizer());
      }
      p.sync().barrier(); // every rank's state is in place before rank 0 publishes the step
    }
    if (p.metrics() != null) { // every rank's rows reach disk with the step they resume from
      p.metrics().flush();
    }
    if (p.rank() != 0) {
      lastCheckpointStep = state.step(); // rank 0 writes it
      return;
    }
    var c = p.checkpoints().save(p.model(), p.optimizer(), p.sync().checkpointState(), state, p.checkpointFiles());
    lastCheckpointStep = c.step();
    listener.onCheckpoint(c.step(), c.dir().toString());
  }

  public TrainState state() {
    return state;
  }
}
