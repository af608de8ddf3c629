package dytrain.prep;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.data.SerializableConfiguration;
import dytrain.data.TokenDtype;
import dytrain.io.AtomicWrite;
import dytrain.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Turns one input file into its train and val shards: read documents, tokenize, append EOS, write. Runs
 * inside a Spark task but knows nothing of Spark. Output depends only on the input and the settings, so
 * whichever task (or retry) runs it writes the same bytes.
 */
final class PrepTask implements Serializable {
  private final PrepSettings settings;
  private final Tokenizer tokenizer;
  private final SerializableConfiguration conf;

  PrepTask(PrepSettings settings, Tokenizer tokenizer, SerializableConfiguration conf) {
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.conf = conf;
  }

  /** Processes {@code input}; {@code attempt} keeps temporary names of concurrent attempts apart. */
  InputResult run(InputFile input, String attempt) throws IOException {
    Path dir = new Path(settings.output());
    FileSystem fs = DatasetFileSystem.of(dir, conf.get());
    deleteLeftovers(fs, dir, input.index());
    TokenDtype dtype = TokenDtype.forVocab(tokenizer.vocabSize());
    RecordCounts counts = new RecordCounts(input.path(), settings.onBadRecord());
    InputResult result;
    DocumentReader opened;
    try {
      opened = DocumentReader.open(input, settings.docSplit(), settings.textField(), conf.get(), counts);
    } catch (IOException e) { // unreadable, or not what its name says (a .gz that is not gzip)
      throw new DytrainException("input " + input.path() + ": cannot read it: " + e, e);
    }
    try (DocumentReader docs = opened;
        ShardSink train = new ShardSink(fs, dir, "train", input.index(), attempt, dtype, settings.shardTokens());
        ShardSink val = new ShardSink(fs, dir, "val", input.index(), attempt, dtype, settings.shardTokens())) {
      try {
        for (DocPiece piece; (piece = docs.next()) != null; ) {
          if (piece.doc() >= InputFile.DOCS_PER_INPUT) {
            throw new DytrainException("input " + input.path() + " holds more than 1e9 documents; split the file");
          }
          long docId = input.docId(piece.doc());
          int[] tokens = tokenizer.encode(piece.text());
          if (piece.last() && settings.appendEos()) {
            tokens = Arrays.copyOf(tokens, tokens.length + 1);
            tokens[tokens.length - 1] = tokenizer.eosId();
          }
          if (tokens.length > 0 || piece.last()) {
            (ValSplit.isVal(settings.seed(), docId, settings.valFraction()) ? val : train)
                .write(docId, tokens, piece.last());
          }
        }
      } catch (IOException e) {
        throw new DytrainException("input " + input.path() + ": cannot read at " + docs.position() + ": " + e.getMessage(), e);
      }
      result = new InputResult(
          input.index(), input.path(), train.documents(), val.documents(), train.finish(), val.finish(),
          counts.skipped, counts.invalidUtf8);
    }
    AtomicWrite.file(fs, new Path(dir, InputResult.fileName(input.index())), result.toJson());
    return result;
  }

  /** Shards of this input from an earlier attempt that did not finish; they are about to be rewritten. */
  private static void deleteLeftovers(FileSystem fs, Path dir, int input) throws IOException {
    for (String split : new String[] {"train", "val"}) {
      FileStatus[] old = fs.globStatus(new Path(dir, ShardSink.prefixOf(split, input) + "*.parquet"));
      if (old != null) {
        for (FileStatus f : old) fs.delete(f.getPath(), false);
      }
    }
  }
}
