package dytrain.train;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.data.TokenDataset;
import dytrain.tokenizer.HfTokenizerJson;
import dytrain.tokenizer.Tokenizer;
import dytrain.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The tokenizer a dataset was made with, carried into checkpoints and exports so that generation decodes
 * with it: a named one ("gpt2") travels as its name, a trained BPE as its tokenizer.json.
 *
 * @param spec what {@code Tokenizers.load} takes, or {@link #FILE} for the stored tokenizer.json
 * @param json the tokenizer.json bytes, or null for a named tokenizer
 */
public record DatasetTokenizer(String spec, byte[] json) {

  public static final String FILE = "tokenizer.json";
  /** Holds the name of a built-in tokenizer ("gpt2") in a checkpoint or export. */
  public static final String NAME_FILE = "tokenizer.txt";

  public static DatasetTokenizer of(TokenDataset dataset) {
    String spec = dataset.manifest().prep() == null ? dataset.manifest().tokenizer().name()
        : dataset.manifest().prep().tokenizerSpec();
    try {
      FileSystem fs = DatasetFileSystem.of(dataset.dir(), dataset.conf());
      Path inside = new Path(dataset.dir(), FILE);
      if (fs.exists(inside)) {
        return new DatasetTokenizer(FILE, read(fs, inside));
      }
      if (spec.endsWith(".json")) {
        Path file = new Path(spec);
        FileSystem specFs = DatasetFileSystem.of(file, dataset.conf());
        if (!specFs.exists(file)) {
          throw new DytrainException("dataset " + dataset.dir() + " was made with tokenizer " + spec
              + ", which no longer exists; generation needs it");
        }
        return new DatasetTokenizer(FILE, read(specFs, file));
      }
    } catch (IOException e) {
      throw new DytrainException("cannot read the tokenizer of dataset " + dataset.dir() + ": " + e.getMessage(), e);
    }
    return new DatasetTokenizer(spec, null);
  }

  /** The tokenizer itself; {@code source} names where it came from in messages. */
  public Tokenizer tokenizer(String source) {
    return json == null ? Tokenizers.load(spec) : HfTokenizerJson.read(new String(json, StandardCharsets.UTF_8), source, "bpe:" + FILE);
  }

  /** Files to store beside a checkpoint or export. */
  public Map<String, byte[]> files() {
    return json == null
        ? Map.of(NAME_FILE, (spec + "\n").getBytes(StandardCharsets.UTF_8))
        : Map.of(FILE, json);
  }

  /**
   * Whether tokenizer files recorded with a model (a checkpoint's or an export's) name this tokenizer;
   * true when none were recorded (a model from elsewhere), as there is nothing to compare.
   */
  public boolean matches(Map<String, byte[]> recorded) {
    if (!recorded.containsKey(FILE) && !recorded.containsKey(NAME_FILE)) return true;
    if (json != null) return Arrays.equals(json, recorded.get(FILE));
    byte[] name = recorded.get(NAME_FILE);
    return name != null && Tokenizers.canonicalName(spec)
        .equals(Tokenizers.canonicalName(new String(name, StandardCharsets.UTF_8).trim()));
  }

  /**
   * Refuses a model whose recorded tokenizer files name another tokenizer than this dataset's:
   * "dataset D was made with tokenizer A, but {@code model} was trained on B{@code consequence}".
   */
  public void requireSameAs(Map<String, byte[]> recorded, String datasetDir, String model, String consequence) {
    if (!matches(recorded)) {
      throw new DytrainException("dataset " + datasetDir + " was made with tokenizer " + describe(files()) + ", but "
          + model + " was trained on " + describe(recorded) + consequence);
    }
  }

  /** "gpt2", or "a tokenizer.json of N bytes": the tokenizer that tokenizer files hold, for messages. */
  public static String describe(Map<String, byte[]> files) {
    byte[] name = files.get(NAME_FILE);
    if (name != null) return new String(name, StandardCharsets.UTF_8).trim();
    byte[] json = files.get(FILE);
    return json == null ? "(none recorded)" : "a tokenizer.json of " + json.length + " bytes";
  }

  /** The tokenizer files in a checkpoint or export folder (local path); empty if it holds none. */
  public static Map<String, byte[]> filesIn(java.nio.file.Path dir) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    for (String name : new String[] {FILE, NAME_FILE}) {
      java.nio.file.Path f = dir.resolve(name);
      if (Files.isRegularFile(f)) files.put(name, Files.readAllBytes(f));
    }
    return files;
  }

  /** The tokenizer stored in a checkpoint or export folder (local path). */
  public static Tokenizer load(java.nio.file.Path dir) throws IOException {
    Map<String, byte[]> files = filesIn(dir);
    if (files.containsKey(FILE)) {
      return new DatasetTokenizer(FILE, files.get(FILE)).tokenizer(dir.resolve(FILE).toString());
    }
    if (files.containsKey(NAME_FILE)) {
      return Tokenizers.load(new String(files.get(NAME_FILE), StandardCharsets.UTF_8).trim());
    }
    throw new DytrainException(dir + " holds no " + FILE + " or " + NAME_FILE
        + ": it was not written by dytrain train/export, so its tokenizer is unknown");
  }

  private static byte[] read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }
}
