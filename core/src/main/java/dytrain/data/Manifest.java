package dytrain.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dytrain.config.DytrainException;
import dytrain.io.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * manifest.json of a token dataset (ARCHITECTURE.md, "Token shards"). Written last, atomically, by the prep
 * driver: its presence is what makes a folder a dataset. Field order is fixed so the same dataset always
 * serializes to the same bytes.
 */
public record Manifest(
    int formatVersion,
    TokenizerInfo tokenizer,
    TokenDtype tokenDtype,
    Map<String, Split> splits,
    Totals totals,
    String contentHash,
    List<InputFile> inputs,
    Prep prep) {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  public Manifest {
    if (formatVersion != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "manifest format_version " + formatVersion + " is not supported; this dytrain reads " + FORMAT_VERSION);
    }
    Objects.requireNonNull(tokenizer, "manifest.tokenizer");
    Objects.requireNonNull(tokenDtype, "manifest.token_dtype");
    Objects.requireNonNull(splits, "manifest.splits");
    Objects.requireNonNull(totals, "manifest.totals");
    Objects.requireNonNull(contentHash, "manifest.content_hash");
    inputs = List.copyOf(inputs);
    if (tokenDtype != TokenDtype.forVocab(tokenizer.vocabSize())) {
      throw new IllegalArgumentException(
          "manifest.token_dtype " + tokenDtype.jsonName() + " does not fit vocab size " + tokenizer.vocabSize());
    }
  }

  /** The tokenizer the ids came from; a trainer compares these with its model before reading a token. */
  public record TokenizerInfo(String name, int vocabSize, int bosId, int eosId, String hash) {
    public TokenizerInfo {
      Objects.requireNonNull(name, "tokenizer.name");
      Objects.requireNonNull(hash, "tokenizer.hash");
      if (vocabSize <= 0 || bosId < 0 || bosId >= vocabSize || eosId < 0 || eosId >= vocabSize) {
        throw new IllegalArgumentException(
            "tokenizer " + name + ": bos_id " + bosId + " and eos_id " + eosId + " must lie in [0, vocab_size "
                + vocabSize + ")");
      }
    }
  }

  /** One split (train or val): its shards in reading order and their sums. */
  public record Split(long documents, long rows, long tokens, List<Shard> shards) {
    public Split {
      shards = List.copyOf(shards);
      long r = 0;
      long t = 0;
      for (Shard s : shards) {
        r += s.rows();
        t += s.tokens();
      }
      if (r != rows || t != tokens) {
        throw new IllegalArgumentException(
            "split rows " + rows + " / tokens " + tokens + " differ from its shards' sums " + r + " / " + t);
      }
    }
  }

  /** One Parquet file; {@code sha256} hashes its rows' content (doc ids and tokens), not the file bytes. */
  public record Shard(String file, long rows, long tokens, int rowGroups, long bytes, String sha256) {
    public Shard {
      Objects.requireNonNull(file, "shard.file");
      Objects.requireNonNull(sha256, "shard.sha256");
      if (rows < 0 || tokens < 0 || rowGroups < 0 || bytes < 0) {
        throw new IllegalArgumentException("shard " + file + " has a negative count");
      }
    }
  }

  /**
   * Whole-dataset counts. A document split into several rows counts once; skipped records (with
   * --on-bad-record skip) and records whose invalid UTF-8 was replaced are counted, never silent.
   */
  public record Totals(long documents, long rows, long tokens, long skippedRecords, long invalidUtf8Records) {}

  public record InputFile(String path, long bytes) {}

  /** The prep settings that, with the inputs, determine every byte of the dataset. */
  public record Prep(
      String tokenizerSpec,
      String docSplit,
      String textField,
      String onBadRecord,
      double valFraction,
      long seed,
      boolean appendEos,
      long shardTokens,
      Long splitBytes) {}

  public Split split(String name) {
    Split s = splits.get(name);
    if (s == null) {
      throw new DytrainException("the dataset has no split '" + name + "' (--split, data.train_split or data.val_split);"
          + " it has " + splits.keySet());
    }
    return s;
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Manifest fromJson(String json) throws IOException {
    return JSON.readValue(json, Manifest.class);
  }

  /** sha256 over the shards' content hashes in manifest order: equal datasets have equal content hashes. */
  public static String contentHash(Map<String, Split> splits) {
    MessageDigest sha = Sha256.digest();
    splits.forEach((name, split) -> {
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      for (Shard s : split.shards()) sha.update(s.sha256().getBytes(StandardCharsets.US_ASCII));
    });
    return Sha256.hex(sha);
  }
}
