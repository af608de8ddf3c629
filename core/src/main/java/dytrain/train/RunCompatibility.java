package dytrain.train;

import com.fasterxml.jackson.databind.JsonNode;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Every check that a resume may continue a checkpoint, in one place. The model must be the same: a resume
 * that asks for other settings would silently get the checkpoint's. The data must be the same: the
 * checkpoint records where in the sample order it stands (a window index), which stays meaningful under
 * another global batch but not under another tokenizer, sequence length or split. Each refusal names what
 * changed.
 */
final class RunCompatibility {
  private RunCompatibility() {}

  static void require(DytrainConfig config, CheckpointStore.Loaded loaded, DatasetTokenizer tokenizer,
      String datasetDir, String checkpointDir) {
    requireSameModel(config.model(), loaded.model().config(), checkpointDir);
    requireSameData(loaded, config, tokenizer, datasetDir, checkpointDir);
  }

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

  private static void requireSameData(CheckpointStore.Loaded loaded, DytrainConfig config, DatasetTokenizer tokenizer,
      String datasetDir, String checkpointDir) {
    tokenizer.requireSameAs(loaded.files(), datasetDir, "the checkpoint in " + checkpointDir,
        "; resume on the dataset it was trained on, or start a new --run-dir");
    JsonNode saved = loaded.state().config();
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
