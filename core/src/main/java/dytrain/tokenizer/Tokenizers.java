package dytrain.tokenizer;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Maps the {@code --tokenizer} spec to a tokenizer: {@code gpt2|cl100k_base|o200k_base|byte|path/to/tokenizer.json}. */
public final class Tokenizers {
  public static final String SPECS = "gpt2, cl100k_base, o200k_base, byte, or a path to a tokenizer.json";

  private Tokenizers() {}

  /** The one name of a built-in tokenizer that has two ("r50k_base" is "gpt2"); any other spec as it is. */
  public static String canonicalName(String spec) {
    return spec.equals("r50k_base") ? "gpt2" : spec;
  }

  public static Tokenizer load(String spec) {
    return switch (canonicalName(spec)) {
      case "gpt2" -> new TiktokenTokenizer(TiktokenTokenizer.Vocabulary.GPT2);
      case "cl100k_base" -> new TiktokenTokenizer(TiktokenTokenizer.Vocabulary.CL100K_BASE);
      case "o200k_base" -> new TiktokenTokenizer(TiktokenTokenizer.Vocabulary.O200K_BASE);
      case "byte" -> new ByteTokenizer();
      default -> loadFile(spec);
    };
  }

  private static Tokenizer loadFile(String spec) {
    Path file = Path.of(spec);
    if (!Files.isRegularFile(file)) {
      throw new DytrainException(
          "--tokenizer " + spec + ": no such file, and not a built-in tokenizer; expected " + SPECS);
    }
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DytrainException("--tokenizer " + spec + ": cannot read the file: " + e.getMessage(), e);
    }
    return HfTokenizerJson.read(json, spec, "bpe:" + file.getFileName());
  }

  /** Writes a learned tokenizer as a Hugging Face tokenizer.json. */
  public static void save(ByteLevelBpe bpe, Path file) throws IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Files.writeString(file, HfTokenizerJson.write(bpe), StandardCharsets.UTF_8);
  }
}
