package dytrain.train;

import dytrain.data.DatasetFileSystem;
import java.io.IOException;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The "summarise a run" service: what a run folder says about its training, from its newest checkpoint
 * and its metrics. The quickstart prints it; a sweep turns it into a results row.
 *
 * @param steps optimizer steps in the newest complete checkpoint (0 without one)
 * @param tokens tokens trained up to that checkpoint
 * @param trainLoss the loss of the last logged step that was not skipped (NaN without one)
 * @param finalValLoss the validation loss at the checkpoint's step (NaN when none was measured there)
 * @param bestValLoss the lowest validation loss measured up to that step (NaN without one)
 * @param trainSeconds the steps' own time summed (restarts and start-up not counted)
 */
public record RunSummary(long steps, long tokens, double trainLoss, double finalValLoss, double bestValLoss,
    double trainSeconds) {

  public static RunSummary of(String runDir, Configuration conf) throws IOException {
    var newest = CheckpointStore.newestIn(runDir, conf);
    long steps = 0;
    long tokens = 0;
    if (newest.isPresent()) {
      TrainState state = CheckpointStore.readState(newest.get().dir(), conf);
      steps = state.step();
      tokens = state.tokensSeen();
    }
    Path dir = new Path(runDir);
    FileSystem fs = DatasetFileSystem.of(dir, conf);
    final long end = steps;
    List<StepMetrics> trained = MetricsCsv.readSteps(fs, new Path(dir, MetricsLog.TRAIN_FILE)).stream()
        .filter(m -> m.step() < end).toList();
    List<MetricsLog.Eval> evals = MetricsCsv.readEvals(fs, new Path(dir, MetricsLog.EVAL_FILE)).stream()
        .filter(e -> e.step() <= end).toList();
    double trainLoss = trained.stream().filter(m -> !m.skipped()).reduce((a, b) -> b).map(StepMetrics::loss)
        .orElse(Double.NaN);
    double finalVal = evals.stream().filter(e -> e.step() == end).mapToDouble(MetricsLog.Eval::loss).findFirst()
        .orElse(Double.NaN);
    OptionalDouble best = evals.stream().mapToDouble(MetricsLog.Eval::loss).filter(Double::isFinite).min();
    double seconds = trained.stream().mapToDouble(m -> m.tokens() / m.tokensPerSecond()).sum();
    return new RunSummary(steps, tokens, trainLoss, finalVal, best.orElse(Double.NaN), seconds);
  }
}
