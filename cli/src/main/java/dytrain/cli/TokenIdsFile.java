package dytrain.cli;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The token ids that {@code score --tokens-file} reads: integers separated by whitespace or commas. */
final class TokenIdsFile {
  private TokenIdsFile() {}

  static int[] read(Path file, int vocabSize) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DytrainException("--tokens-file " + file + " does not exist");
    }
    return parse(Files.readString(file), file.toString(), vocabSize);
  }

  /** Parses ids separated by whitespace or commas, naming the file and position of a bad one. */
  static int[] parse(String text, String source, int vocabSize) {
    String[] parts = text.trim().split("[\\s,]+");
    if (parts.length == 1 && parts[0].isEmpty()) {
      throw new DytrainException(source + " holds no token ids");
    }
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new DytrainException(source + ": token " + (i + 1) + " '" + parts[i] + "' is not an integer id");
      }
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new DytrainException(
            source + ": token " + (i + 1) + " = " + ids[i] + " is outside the model's vocabulary [0, " + vocabSize + ")");
      }
    }
    return ids;
  }
}
