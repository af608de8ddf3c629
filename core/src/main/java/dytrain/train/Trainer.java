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
import java.util.OptionalDouble;

/**
 * The train loop, and only the loop: each step reads this rank's micro-batches, accumulates gradients,
 * averages them across ranks, guards against NaN and spikes, clips, updates, then evaluates and checkpoints
 * on schedule. The work lives in the components it is given.
 */
public final class Trainer {

  /**
   * What one rank trains with. Rank 0 writes the checkpoints; a strategy whose ranks hold state of their own
   * (DiLoCo) saves it on every rank through {@link DataParallel#onCheckpoint}.
   */
  public record Parts(
      DytrainConfig config,
      Rank rank,
      RunStart start,
      TrainingBatches batches,
      Validation validation,
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
  private final Llama model;
  private final AdamW optimizer;
  private final DataParallel parallel;
  private final LrSchedule schedule;
  private final Collection<NDArray> params;
  private final double flopsPerToken;
  private final OutlierDetector lossSpikes;
  private final OutlierDetector gradNormSpikes;
  private TrainState state;
  /** The step of the checkpoint this run resumed from or last wrote; -1 for none. */
  private long lastCheckpointStep;

  public Trainer(Parts parts, Listener listener) {
    this.p = parts;
    this.listener = listener;
    this.model = parts.start().model();
    this.optimizer = parts.start().optimizer();
    this.parallel = parts.rank().parallel();
    this.state = parts.start().state();
    this.schedule = LrSchedule.of(parts.config().train());
    this.params = model.parameters().all().values();
    this.flopsPerToken = ModelSize.of(parts.config().model()).trainingFlopsPerToken(parts.config().seqLen());
    this.lastCheckpointStep = state.step() > 0 ? state.step() : -1;
    this.lossSpikes = new OutlierDetector(parts.config().train().outlierZ(), state.recentLosses());
    this.gradNormSpikes = new OutlierDetector(parts.config().train().outlierZ(), state.recentGradNorms());
  }

  /** Trains until {@code train.steps}; returns the final state. */
  public TrainState run() throws IOException {
    var t = p.config().train();
    parallel.start(params);
    while (state.step() < t.steps()) {
      StepMetrics m = step(state.step());
      listener.onStep(m);
      p.metrics().add(m);
      p.metrics().maybeFlush();
      long done = state.step();
      if (done % t.evalEvery() == 0 || done == t.steps()) {
        evaluate(done);
      }
      // No checkpoint inside a streak of NaN steps (on any rank): the last good one is what a user resumes from.
      if ((done % t.checkpointEvery() == 0 || done == t.steps() || t.checkpointAt().contains((int) done))
          && parallel.onEveryRank(state.consecutiveBadSteps() == 0)) {
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
        var mgr = model.parameters().manager();
        NDArray mean = model.loss(Batches.inputs(mgr, windows), Batches.targets(mgr, windows));
        NDArray l = mean.div(Tensors.scalar(mean, micro.size())); // k micro-batches of b = one of k*b
        Autograd.backward(l);
        loss += l.getFloat();
      }
    }
    long computed = System.nanoTime();
    loss = parallel.syncGradients(params, loss);
    double communication = parallel.takeCommunicationSeconds();
    long synced = System.nanoTime();
    double lr = schedule.at(step);
    double norm = GradientClipping.clip(params, p.config().train().gradClip());
    boolean bad = !Double.isFinite(loss) || !Double.isFinite(norm);
    boolean outlier = isOutlier(bad, loss, norm) && !bad; // a NaN step is counted as one
    if (!bad && !outlier) {
      optimizer.step(lr);
    }
    params.forEach(Autograd::zeroGradient);
    parallel.afterUpdate(step, params);
    if (p.config().distributed().checksumEvery() > 0
        && (step + 1) % p.config().distributed().checksumEvery() == 0) {
      parallel.checkReplicas(step, params);
    }
    long tokens = (long) p.config().globalBatchSequences() * p.config().seqLen();
    state = next(state, tokens, bad, outlier);
    double seconds = (System.nanoTime() - start) / 1e9;
    double tokensPerSecond = tokens / seconds;
    return new StepMetrics(step, loss, norm, lr, tokens, tokensPerSecond,
        flopsPerToken * tokensPerSecond / p.peakFlops(), (loaded - start) / 1e9,
        (computed - loaded) / 1e9, communication, (System.nanoTime() - synced) / 1e9, bad || outlier, outlier);
  }

  /**
   * Whether a finite step spikes in loss or gradient norm ({@code train.outlier_z}); both detectors see
   * every finite step. The loss and norm are the all-reduced ones, so synchronous ranks agree without a
   * message; DiLoCo's are rank-local, so a spike on any rank skips the step on all, whose AdamW step counts
   * then stay equal. Every rank votes, a NaN one too, so the vote never waits for a rank that left it out.
   */
  private boolean isOutlier(boolean bad, double loss, double norm) {
    boolean spike = !bad && (lossSpikes.isOutlier(loss) | gradNormSpikes.isOutlier(norm)); // | : both windows move
    return p.config().train().outlierZ() != null && !parallel.onEveryRank(!spike);
  }

  private TrainState next(TrainState s, long tokens, boolean bad, boolean outlier) {
    int consecutive = bad ? s.consecutiveBadSteps() + 1 : 0;
    if (consecutive > p.config().train().maxBadSteps()) {
      throw new DytrainException(consecutive + " steps in a row had a NaN or infinite loss or gradient norm"
          + " (train.max_bad_steps = " + p.config().train().maxBadSteps() + "); stopping. " + whereToRestart());
    }
    return new TrainState(s.step() + 1, s.nextWindow() + p.config().globalBatchSequences(), s.dataSeed(),
        s.tokensSeen() + tokens, s.skippedUpdates() + (bad || outlier ? 1 : 0), consecutive,
        s.outlierUpdates() + (outlier ? 1 : 0), lossSpikes.history(), gradNormSpikes.history(), s.tokenizer(),
        s.alpha0(), s.config());
  }

  private String whereToRestart() {
    if (lastCheckpointStep < 0) {
      return "No checkpoint was written before it, so a rerun starts afresh; lower train.lr or raise"
          + " train.warmup_steps first.";
    }
    return "The last good checkpoint, step " + lastCheckpointStep + ", is kept in " + p.checkpoints().root()
        + "; lower train.lr or raise train.warmup_steps and resume.";
  }

  private void evaluate(long step) throws IOException {
    OptionalDouble loss = p.validation().loss(model);
    if (loss.isPresent()) {
      listener.onEval(step, loss.getAsDouble());
      p.metrics().addEval(step, loss.getAsDouble());
      p.metrics().flush();
    }
  }

  private void checkpoint() throws IOException {
    int rank = p.rank().rank();
    Map<String, float[]> strategyState = parallel.onCheckpoint(p.checkpoints(), rank, state.step(), optimizer);
    p.metrics().flush(); // every rank's rows reach disk with the step they resume from
    if (p.rank().writes()) {
      var c = p.checkpoints().save(model, optimizer, strategyState, state, p.checkpointFiles());
      listener.onCheckpoint(c.step(), c.dir().toString());
    }
    lastCheckpointStep = state.step();
  }

  public TrainState state() {
    return state;
  }
}
