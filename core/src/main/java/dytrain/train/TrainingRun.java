package dytrain.train;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import dytrain.data.DatasetFileSystem;
import dytrain.data.Manifest;
import dytrain.data.PackedSequences;
import dytrain.data.TokenDataset;
import dytrain.data.TrainingBatches;
import dytrain.export.ModelExport;
import dytrain.model.Llama;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Sets up one rank's training from a config and a run folder: opens and checks the dataset, starts a
 * fresh model or resumes from the newest complete checkpoint, and hands the parts to the {@link Trainer}.
 */
public final class TrainingRun {

  /** Where this rank stands in a data-parallel job; rank 0 of 1 for a single process. */
  public record Rank(int rank, int worldSize, GradientSync sync, Device device) {
    public static final Rank SINGLE = new Rank(0, 1, GradientSync.SINGLE_PROCESS, Device.cpu());
  }

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

  /**
   * Trains to the end and returns the final state. {@code requireCheckpoint} makes a missing checkpoint an
   * error (the --resume flag); without it a run folder with checkpoints is continued anyway.
   */
  public static TrainState run(DytrainConfig config, String runDir, boolean requireCheckpoint, Rank rank,
      Trainer.Listener listener, PrintStream log) throws IOException {
    Configuration conf = new Configuration();
    requireRunFolder(runDir, conf);
    TokenDataset dataset = openDataset(config, conf);
    DatasetTokenizer tokenizer = DatasetTokenizer.of(dataset);
    var t = config.train();
    boolean writer = rank.rank() == 0;
    CheckpointStore store = new CheckpointStore(runDir, conf, t.keepLast(), t.keepEvery());
    MetricsLog metrics = new MetricsLog(runDir, conf, writer ? "" : "ranks/rank-" + rank.rank() + "-");
    Optional<CheckpointStore.Checkpoint> newest = store.newest();
    if (requireCheckpoint && newest.isEmpty()) {
      throw new DytrainException("--resume: no complete checkpoint in " + store.root());
    }
    Llama model;
    AdamW optimizer;
    TrainState state;
    if (newest.isPresent()) {
      Resumed resumed = newestIntact(store, rank, config.model().dtype(), log);
      CheckpointStore.Loaded loaded = resumed.loaded();
      newest = Optional.of(resumed.checkpoint());
      requireSameModel(config.model(), loaded.model().config(), newest.get().dir().toString());
      ResumeCheck.requireSameData(loaded, config, tokenizer, dataset.dir().toString(), newest.get().dir().toString());
      model = loaded.model();
      state = loaded.state();
      optimizer = new AdamW(model.parameters(), t);
      optimizer.load(loaded.optimizerState(), state.step() - state.skippedUpdates());
      rank.sync().restore(loaded.optimizerState());
      if (rank.rank() > 0 && rank.sync().perRankOptimizerState()) {
        var own = store.loadRankOptimizer(rank.rank(), state.step());
        if (own.isPresent()) {
          optimizer.load(own.get().state(), own.get().updates());
        } else {
          log.printf("rank %d: no optimizer state of its own at step %d; continuing from rank 0's%n", rank.rank(),
              state.step());
        }
      }
      metrics.resumeAt(state.step());
      if (writer) {
        log.printf("resuming from %s (step %d)%n", newest.get().dir(), state.step());
      }
    } else {
      model = Llama.init(config.model(), config.seed(), rank.device(), ai.djl.ndarray.types.DataType.FLOAT32);
      optimizer = new AdamW(model.parameters(), t);
      JsonNode configJson = ConfigLoader.YAML.valueToTree(config);
      state = new TrainState(0, 0, config.seed(), 0, 0, 0, tokenizer.spec(),
          ConfigLoader.YAML.valueToTree(model.alpha0()), configJson);
    }
    if (config.model().normType().isDynamic() && writer) {
      log.println(model.alpha0());
    }
    int windowLength = config.seqLen() + 1;
    var trainWindows = new PackedSequences(dataset, config.data().trainSplit(), windowLength, state.dataSeed(), true,
        config.model().vocabSize());
    var batches = new TrainingBatches(trainWindows, config.globalBatchSequences(), t.microBatchSize(), rank.rank(),
        rank.worldSize()).resumingAt(state.step(), state.nextWindow());
    Evaluator evaluator = writer ? evaluator(config, dataset, windowLength, log) : null;
    // Rank 0 reports MFU; measuring on every rank at once would only make the ranks compete for the cores.
    // The peak is one rank's; a step's tokens are the whole global batch, computed by all ranks together.
    double peak = t.peakFlops() != null ? t.peakFlops() : writer ? PeakFlops.measure(config.model().dtype()) : Double.NaN;
    if (writer) {
      log.printf("MFU against %.1f GFLOP/s per rank x %d rank(s) (%s %s matmul peak)%n", peak / 1e9,
          rank.worldSize(), t.peakFlops() != null ? "train.peak_flops" : "measured", config.model().dtype());
    }
    var parts = new Trainer.Parts(rank.rank(), config, model, optimizer, batches, evaluator, rank.sync(), store,
        metrics, tokenizer.files(), peak * rank.worldSize());
    TrainState end;
    try (model) {
      end = new Trainer(parts, state, listener).run();
    } catch (RuntimeException | IOException e) { // the steps up to a failure, bad ones too, are worth reading
      try {
        metrics.flush();
      } catch (IOException flush) {
        e.addSuppressed(flush);
      }
      throw e;
    }
    metrics.flush();
    return end;
  }

  /**
   * The newest checkpoint that passes its checksums: a damaged one (a disk fault, a copy cut short) is
   * reported and the one before it used, as every rank does alike. None intact: the newest one's error.
   */
  private record Resumed(CheckpointStore.Checkpoint checkpoint, CheckpointStore.Loaded loaded) {}

  private static Resumed newestIntact(CheckpointStore store, Rank rank, String dtype, PrintStream log) throws IOException {
    DytrainException first = null;
    for (CheckpointStore.Checkpoint c : store.list()) {
      try {
        return new Resumed(c, store.load(c, rank.device(), dtype)); // model.dtype may change on resume
      } catch (DytrainException | org.apache.hadoop.fs.ChecksumException damaged) {
        if (first == null) {
          first = damaged instanceof DytrainException d ? d : new DytrainException(c.dir() + ": " + damaged.getMessage(), damaged);
        }
        if (rank.rank() == 0) {
          log.printf("checkpoint %s is damaged (%s); resuming from the one before it instead (delete it once looked at)%n",
              c.dir(), damaged.getMessage());
        }
      }
    }
    throw first != null ? first : new DytrainException("no complete checkpoint left in " + store.root());
  }

  private static Evaluator evaluator(DytrainConfig config, TokenDataset dataset, int windowLength, PrintStream log) {
    String split = config.data().valSplit();
    if (!dataset.manifest().splits().containsKey(split)
        || dataset.manifest().split(split).tokens() < windowLength) {
      log.println("no validation: dataset " + dataset.dir() + " has no split '" + split
          + "' with at least one sequence of " + windowLength + " tokens");
      return null;
    }
    var windows = new PackedSequences(dataset, split, windowLength, 0, false, config.model().vocabSize());
    return new Evaluator(windows, config.train().evalBatches(), config.train().microBatchSize());
  }

  /** The settings a checkpoint's model was built with; a resume that asks for others would silently get these. */
  static void requireSameModel(ModelConfig want, ModelConfig have, String where) {
    List<String> differ = new ArrayList<>();
    compare(differ, "vocab_size", want.vocabSize(), have.vocabSize());
    compare(differ, "hidden_size", want.hiddenSize(), have.hiddenSize());
    compare(differ, "intermediate_size", want.intermediateSize(), have.intermediateSize());
    compare(differ, "num_layers", want.numLayers(), have.numLayers());
    compare(differ, "num_heads", want.numHeads(), have.numHeads());
    compare(differ, "num_kv_heads", want.numKvHeads(), have.numKvHeads());
    compare(differ, "norm_type", want.normType().key(), have.normType().key());
    compare(differ, "norm_bias", want.normBias(), have.normBias());
    compare(differ, "tie_embeddings", want.tieEmbeddings(), have.tieEmbeddings());
    compare(differ, "max_seq_len", want.maxSeqLen(), have.maxSeqLen());
    compare(differ, "rope_theta", want.ropeTheta(), have.ropeTheta());
    compare(differ, "norm_eps", want.normEps(), have.normEps());
    if (!differ.isEmpty()) {
      throw new DytrainException("the checkpoint in " + where + " holds a different model than the config: "
          + String.join(", ", differ) + "; use another --run-dir for a new model");
    }
  }

  private static void compare(List<String> differ, String key, Object want, Object have) {
    if (!want.equals(have)) {
      differ.add("model." + key + " = " + want + " in the config, " + have + " in the checkpoint");
    }
  }
}
