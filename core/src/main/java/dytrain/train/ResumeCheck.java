package dytrain.train;

import com.fasterxml.jackson.databind.JsonNode;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;

/**
 * A resumed run must read the same tokens in the same order as the run it continues. Its checkpoint
 * records where in the sample order it stands (a window index), which stays meaningful under another global
 * batch but not under another tokenizer, sequence length or split: those would silently train on other
 * data. Refuses each, naming what changed.
 */
final class ResumeCheck {
  private ResumeCheck() {}

  static void requireSameData(CheckpointStore.Loaded loaded, DytrainConfig config, DatasetTokenizer tokenizer,
      String datasetDir, String checkpointDir) {
    TrainState state = loaded.state();
    tokenizer.requireSameAs(loaded.files(), datasetDir, "the checkpoint in " + checkpointDir,
        "; resume on the dataset it was trained on, or start a new --run-dir");
    JsonNode saved = state.config();
    if (saved != null) {
      // an unset train.seq_len is the model's max_seq_len: compare the lengths in effect
      JsonNode seqLen = saved.path("train").path("seq_len");
      requireSame("train.seq_len", seqLen.isNumber() ? seqLen : saved.path("model").path("max_seq_len"), config.seqLen(),
          checkpointDir);
      requireSame("data.train_split", saved.path("data").path("train_split"), config.data().trainSplit(), checkpointDir);
    }
  }

  private static void requireSame(String key, JsonNode saved, Object now, String checkpointDir) {
    if (!saved.isMissingNode() && !saved.isNull() && !saved.asText().equals(String.valueOf(now))) {
      throw new DytrainException(key + " = " + now + ", but the run in " + checkpointDir + " was trained with " + key
          + " = " + saved.asText() + ": resuming would read other sequences; keep it or start a new --run-dir");
    }
  }
}
