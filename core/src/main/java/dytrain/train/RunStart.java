package dytrain.train;

import ai.djl.ndarray.types.DataType;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.data.TokenDataset;
import dytrain.model.Llama;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;

/**
 * Where a rank's training starts: a fresh model, or the newest intact checkpoint of its run folder, with
 * the optimizer and the state that go with it. A damaged checkpoint (a disk fault, a copy cut short) is
 * reported and the one before it used, as every rank does alike.
 *
 * @param resumedFrom the checkpoint resumed from; empty for a fresh start
 */
public record RunStart(Llama model, AdamW optimizer, TrainState state, Optional<CheckpointStore.Checkpoint> resumedFrom) {

  /** Whether a run folder without a checkpoint may start afresh (a plain rerun) or not (--resume). */
  public enum Resume {
    IF_PRESENT,
    REQUIRED
  }

  /** Resumes from the newest intact checkpoint when there is one (required by {@code resume}), else starts afresh. */
  static RunStart of(DytrainConfig config, CheckpointStore store, TokenDataset dataset, DatasetTokenizer tokenizer,
      Resume resume, Rank rank, PrintStream log) throws IOException {
    if (store.newest().isPresent()) {
      return resume(config, store, dataset, tokenizer, rank, log);
    }
    if (resume == Resume.REQUIRED) {
      throw new DytrainException("--resume: no complete checkpoint in " + store.root());
    }
    return fresh(config, tokenizer, rank);
  }

  static RunStart fresh(DytrainConfig config, DatasetTokenizer tokenizer, Rank rank) {
    Llama model = Llama.init(config.model(), config.seed(), rank.device(), DataType.FLOAT32);
    var state = new TrainState(0, 0, config.seed(), 0, 0, 0, 0, null, null, tokenizer.spec(),
        ConfigLoader.YAML.valueToTree(model.alpha0()), ConfigLoader.YAML.valueToTree(config));
    return new RunStart(model, new AdamW(model.parameters(), config.train()), state, Optional.empty());
  }

  static RunStart resume(DytrainConfig config, CheckpointStore store, TokenDataset dataset, DatasetTokenizer tokenizer,
      Rank rank, PrintStream log) throws IOException {
    DytrainException first = null;
    for (CheckpointStore.Checkpoint c : store.list()) {
      CheckpointStore.Loaded loaded;
      try {
        loaded = store.load(c, rank.device(), config.model().dtype()); // a run may resume in another dtype
      } catch (DytrainException | ChecksumException damaged) {
        if (first == null) {
          first = damaged instanceof DytrainException d ? d : new DytrainException(c.dir() + ": " + damaged.getMessage(), damaged);
        }
        if (rank.writes()) {
          log.printf("checkpoint %s is damaged (%s); resuming from the one before it instead (delete it once looked at)%n",
              c.dir(), damaged.getMessage());
        }
        continue;
      }
      RunCompatibility.require(config, loaded, tokenizer, dataset.dir().toString(), c.dir().toString());
      TrainState state = loaded.state();
      var optimizer = new AdamW(loaded.model().parameters(), config.train());
      optimizer.load(loaded.optimizerState(), state.step() - state.skippedUpdates());
      rank.parallel().onResume(loaded, store, rank.rank(), optimizer, log);
      if (rank.writes()) {
        log.printf("resuming from %s (step %d)%n", c.dir(), state.step());
      }
      return new RunStart(loaded.model(), optimizer, state, Optional.of(c));
    }
    throw first != null ? first : new DytrainException("no complete checkpoint left in " + store.root());
  }
}
