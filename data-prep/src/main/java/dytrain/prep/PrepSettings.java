package dytrain.prep;

import dytrain.config.DytrainException;
import dytrain.data.Manifest;
import java.io.Serializable;
import java.util.List;

/**
 * Everything {@code dytrain prep} is told. With the inputs' content these settings determine every byte of
 * the output, which is what makes reruns and resumes safe. Validated here so a bad flag fails before Spark starts.
 *
 * @param partitions Spark tasks to use; 0 = one per input part. Changes speed, never the output.
 * @param splitBytes uncompressed text and JSON lines files larger than this are read in parts of this many
 *     bytes, one task each (0 = one part per file); recorded, since document ids follow the parts
 */
public record PrepSettings(
    List<String> inputs,
    String output,
    String tokenizer,
    DocSplit docSplit,
    String textField,
    BadRecordPolicy onBadRecord,
    double valFraction,
    long seed,
    boolean appendEos,
    long shardTokens,
    boolean overwrite,
    int partitions,
    long splitBytes)
    implements Serializable {

  public static final long DEFAULT_SHARD_TOKENS = 50_000_000L;
  public static final long DEFAULT_SPLIT_BYTES = 128L << 20;

  public PrepSettings {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) throw new DytrainException("--input: give at least one file, folder or glob");
    if (output == null || output.isBlank()) throw new DytrainException("--output: give the dataset folder to write");
    if (tokenizer == null || tokenizer.isBlank()) throw new DytrainException("--tokenizer: give one of gpt2, cl100k_base, o200k_base, byte or a tokenizer.json path");
    if (textField == null || textField.isBlank()) throw new DytrainException("--text-field must not be empty");
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new DytrainException("--val-fraction " + valFraction + " must be in [0, 1)");
    }
    if (shardTokens < 1) throw new DytrainException("--shard-tokens " + shardTokens + " must be at least 1");
    if (partitions < 0) throw new DytrainException("--partitions " + partitions + " must be 0 (one per input) or more");
    if (splitBytes < 0) throw new DytrainException("--split-mb must be 0 (never split a file) or more");
  }

  /** Defaults for everything but the three required flags. */
  public static PrepSettings of(List<String> inputs, String output, String tokenizer) {
    return new PrepSettings(
        inputs, output, tokenizer, DocSplit.BLANKLINE, "text", BadRecordPolicy.FAIL, 0.0, 0L, true,
        DEFAULT_SHARD_TOKENS, false, 0, DEFAULT_SPLIT_BYTES);
  }

  public PrepSettings withValFraction(double f) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, onBadRecord, f, seed, appendEos, shardTokens, overwrite, partitions, splitBytes);
  }

  public PrepSettings withShardTokens(long n) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, onBadRecord, valFraction, seed, appendEos, n, overwrite, partitions, splitBytes);
  }

  public PrepSettings withPartitions(int n) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, onBadRecord, valFraction, seed, appendEos, shardTokens, overwrite, n, splitBytes);
  }

  public PrepSettings withOverwrite(boolean o) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, onBadRecord, valFraction, seed, appendEos, shardTokens, o, partitions, splitBytes);
  }

  public PrepSettings withOnBadRecord(BadRecordPolicy p) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, p, valFraction, seed, appendEos, shardTokens, overwrite, partitions, splitBytes);
  }

  public PrepSettings withTextField(String f) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, f, onBadRecord, valFraction, seed, appendEos, shardTokens, overwrite, partitions, splitBytes);
  }

  public PrepSettings withSeed(long s) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, onBadRecord, valFraction, s, appendEos, shardTokens, overwrite, partitions, splitBytes);
  }

  public PrepSettings withAppendEos(boolean e) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, onBadRecord, valFraction, seed, e, shardTokens, overwrite, partitions, splitBytes);
  }

  public PrepSettings withTokenizer(String t) {
    return new PrepSettings(inputs, output, t, docSplit, textField, onBadRecord, valFraction, seed, appendEos, shardTokens, overwrite, partitions, splitBytes);
  }

  public PrepSettings withOutput(String o) {
    return new PrepSettings(inputs, o, tokenizer, docSplit, textField, onBadRecord, valFraction, seed, appendEos, shardTokens, overwrite, partitions, splitBytes);
  }

  public PrepSettings withSplitBytes(long n) {
    return new PrepSettings(inputs, output, tokenizer, docSplit, textField, onBadRecord, valFraction, seed, appendEos, shardTokens, overwrite, partitions, n);
  }

  /** The settings that shape the output, as recorded in the manifest (not overwrite or partitions). */
  public Manifest.Prep recorded() {
    return new Manifest.Prep(
        tokenizer, docSplit.name().toLowerCase(), textField, onBadRecord.name().toLowerCase(), valFraction, seed,
        appendEos, shardTokens, splitBytes);
  }
}
