package dytrain.train;

import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.data.Manifest;
import dytrain.data.PackedSequences;
import dytrain.data.TokenDataset;
import dytrain.data.TrainingBatches;
import dytrain.export.ModelExport;
import java.io.IOException;
import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Sets up one rank's training from a config and a run folder: opens and checks the dataset, finds where
 * the run starts ({@link RunStart}), and hands the parts to the {@link Trainer}.
 */
public final class TrainingRun {

  private TrainingRun() {}

  public static TokenDataset openDataset(DytrainConfig config, Configuration conf) {
    String path = config.data().dataset();
    if (path == null) {
      throw new DytrainException("data.dataset is not set: point it at a folder made by dytrain prep"
          + " (in the config, or --set data.dataset=DIR)");
    }
    TokenDataset dataset = TokenDataset.open(path, conf);
    Manifest.TokenizerInfo tok = dataset.manifest().tokenizer();
    if (tok.vocabSize() > config.model().vocabSize()) {
      throw new DytrainException("dataset " + path + " was tokenized with " + tok.name() + " (vocab size "
          + tok.vocabSize() + ") but model.vocab_size = " + config.model().vocabSize()
          + "; set model.vocab_size to at least " + tok.vocabSize());
    }
    return dataset;
  }

  /** Refuses a run folder that is a file, a dataset or an export: checkpoints and metrics would mix into it. */
  public static void requireRunFolder(String runDir, Configuration conf) throws IOException {
    Path dir = new Path(runDir);
    FileSystem fs = DatasetFileSystem.of(dir, conf);
    if (!fs.exists(dir)) return;
    if (!fs.getFileStatus(dir).isDirectory()) {
      throw new DytrainException("run folder " + runDir + " is a file; give --run-dir a folder");
    }
    for (String foreign : new String[] {Manifest.FILE_NAME, ModelExport.WEIGHTS}) {
      if (fs.exists(new Path(dir, foreign))) {
        throw new DytrainException("run folder " + runDir + " holds " + foreign + ": it is a "
            + (foreign.equals(Manifest.FILE_NAME) ? "dataset" : "model export or checkpoint")
            + ", not a run; give --run-dir a folder of its own");
      }
    }
  }

  /** Trains to the end and returns the final state; the run's files go through {@code conf}'s file systems. */
  public static TrainState run(DytrainConfig config, String runDir, RunStart.Resume resume, Rank rank,
      Trainer.Listener listener, PrintStream log, Configuration conf) throws IOException {
    requireRunFolder(runDir, conf);
    TokenDataset dataset = openDataset(config, conf);
    DatasetTokenizer tokenizer = DatasetTokenizer.of(dataset);
    var t = config.train();
    CheckpointStore store = new CheckpointStore(runDir, conf, t.keepLast(), t.keepEvery(), t.checkpointAt());
    MetricsLog metrics = new MetricsLog(runDir, conf, rank.writes() ? "" : "ranks/rank-" + rank.rank() + "-");
    RunStart start = RunStart.of(config, store, dataset, tokenizer, resume, rank, log);
    if (start.resumedFrom().isPresent()) {
      metrics.resumeAt(start.state().step());
    }
    if (config.model().normType().isDynamic() && rank.writes()) {
      log.println(start.model().alpha0());
    }
    int windowLength = config.seqLen() + 1;
    var trainWindows = PackedSequences.shuffled(dataset, config.data().trainSplit(), windowLength,
        start.state().dataSeed(), config.model().vocabSize());
    var batches = new TrainingBatches(trainWindows, config.globalBatchSequences(), t.microBatchSize(), rank.rank(),
        rank.worldSize()).resumingAt(start.state().step(), start.state().nextWindow());
    Validation validation = rank.writes() ? validation(config, dataset, windowLength, log) : Validation.NONE;
    var parts = new Trainer.Parts(config, rank, start, batches, validation, store, metrics, tokenizer.files(),
        peakFlops(config, rank, log));
    TrainState end;
    try (metrics) {
      try (var model = start.model()) {
        end = new Trainer(parts, listener).run();
      } catch (RuntimeException | IOException e) { // the steps up to a failure, bad ones too, are worth reading
        try {
          metrics.flushWithParquetCopies();
        } catch (RuntimeException | IOException | FSError flush) { // a full disk fails this too: report the first failure
          e.addSuppressed(flush);
        }
        throw e;
      }
      metrics.flushWithParquetCopies();
    }
    return end;
  }

  /**
   * The whole job's matmul peak for MFU. Rank 0 measures one rank's (measuring on every rank at once would
   * only make the ranks compete for the cores) and counts it once per rank: a step's tokens are the whole
   * global batch, computed by all ranks together.
   */
  private static double peakFlops(DytrainConfig config, Rank rank, PrintStream log) {
    Double given = config.train().peakFlops();
    String dtype = config.model().dtype();
    double peak = given != null ? given : rank.writes() ? PeakFlops.measure(dtype) : Double.NaN;
    if (rank.writes()) {
      log.printf("MFU against %.1f GFLOP/s per rank x %d rank(s) (%s %s matmul peak)%n", peak / 1e9,
          rank.worldSize(), given != null ? "train.peak_flops" : "measured", dtype);
    }
    return peak * rank.worldSize();
  }

  private static Validation validation(DytrainConfig config, TokenDataset dataset, int windowLength, PrintStream log) {
    String split = config.data().valSplit();
    if (!dataset.manifest().splits().containsKey(split)
        || dataset.manifest().split(split).tokens() < windowLength) {
      log.println("no validation: dataset " + dataset.dir() + " has no split '" + split
          + "' with at least one sequence of " + windowLength + " tokens");
      return Validation.NONE;
    }
    var windows = PackedSequences.inStoredOrder(dataset, split, windowLength, config.model().vocabSize());
    return new Evaluator(windows, config.train().evalBatches(), config.train().microBatchSize());
  }
}
