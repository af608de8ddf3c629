package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.data.TokenDataset;
import dytrain.train.DatasetTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** A model is measured on a dataset only when both use one tokenizer: on other token ids its numbers mean nothing. */
final class TokenizerCheck {
  private TokenizerCheck() {}

  /**
   * Refuses a model folder whose recorded tokenizer is not the dataset's; warns when the dataset's own cannot
   * be found (an older dataset whose tokenizer.json has moved).
   */
  static void requireSame(String command, TokenDataset dataset, String data, Path model, String consequence)
      throws IOException {
    DatasetTokenizer tokenizer;
    try {
      tokenizer = DatasetTokenizer.of(dataset);
    } catch (DytrainException e) {
      System.err.println(command + ": cannot check the dataset's tokenizer against the model's: " + e.getMessage());
      return;
    }
    tokenizer.requireSameAs(DatasetTokenizer.filesIn(model), data, "the model in " + model, consequence);
  }
}
