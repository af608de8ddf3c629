package dytrain.train;

import com.fasterxml.jackson.databind.JsonNode;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;

/**
 * A resumed run must read the same tokens in the same order as the run it continues: the step alone
 * places it in the sample order, so a different tokenizer, sequence length, global batch or split would
 * silently skip or replay data. Refuses each, naming what changed.
 */
final class ResumeCheck {
  private ResumeCheck() {}

  static void requireSameData(CheckpointStore.Loaded loaded, DytrainConfig config, DatasetTokenizer tokenizer,
      String datasetDir, String checkpointDir) {
    TrainState state = loaded.state();
    if (!tokenizer.matches(loaded.files())) {
      throw new DytrainException("dataset " + datasetDir + " was made with tokenizer "
          + DatasetTokenizer.describe(tokenizer.files()) + ", but the checkpoint in " + checkpointDir
          + " was trained on " + DatasetTokenizer.describe(loaded.files())
          + "; resume on the dataset it was trained on, or start a new --run-dir");
    }
    JsonNode saved = state.config();
    if (saved != null) {
      requireSame("train.seq_len", saved.path("train").path("seq_len"), config.seqLen(), checkpointDir);
      requireSame("data.train_split", saved.path("data").path("train_split"), config.data().trainSplit(), checkpointDir);
    }
    long expected = state.step() * config.globalBatchSequences();
    if (state.nextWindow() != expected) {
      throw new DytrainException("the checkpoint in " + checkpointDir + " stands at sequence " + state.nextWindow()
          + " of the sample order after " + state.step() + " steps, but a global batch of "
          + config.globalBatchSequences() + " sequences (train.global_batch_tokens = "
          + config.train().globalBatchTokens() + ") would put it at " + expected
          + ": resuming would skip or replay data; keep the run's train.global_batch_tokens or start a new --run-dir");
    }
  }

  private static void requireSame(String key, JsonNode saved, Object now, String checkpointDir) {
    if (!saved.isMissingNode() && !saved.isNull() && !saved.asText().equals(String.valueOf(now))) {
      throw new DytrainException(key + " = " + now + ", but the run in " + checkpointDir + " was trained with " + key
          + " = " + saved.asText() + ": resuming would read other sequences; keep it or start a new --run-dir");
    }
  }
}
