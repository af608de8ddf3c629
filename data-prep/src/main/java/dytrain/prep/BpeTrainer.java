package dytrain.prep;

import dytrain.config.DytrainException;
import dytrain.data.SerializableConfiguration;
import dytrain.tokenizer.BpeLearner;
import dytrain.tokenizer.ByteLevelBpe;
import dytrain.tokenizer.ByteLevelPreTokenizer;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * {@code dytrain tokenizer train}: byte-level BPE learned from a corpus. The corpus-sized part, reading
 * and pre-tokenizing every document and counting words, runs as Spark tasks (one per input file) and is
 * reduced to one table of distinct words; merges are then learned on the driver from that table
 * ({@link BpeLearner}), whose size follows the number of distinct words, not the corpus.
 */
public final class BpeTrainer {

  /** What to learn from and how big a vocabulary to learn. */
  public record Settings(
      List<String> inputs, int vocabSize, DocSplit docSplit, String textField, BadRecordPolicy onBadRecord)
      implements Serializable {
    public Settings {
      inputs = List.copyOf(inputs);
      if (inputs.isEmpty()) throw new DytrainException("--input: give at least one file, folder or glob");
      if (vocabSize < 257 || vocabSize > 1 << 20) {
        throw new DytrainException(
            "--vocab-size " + vocabSize + " must be between 257 (256 bytes + end-of-text) and 1048576");
      }
    }

    public static Settings of(List<String> inputs, int vocabSize) {
      return new Settings(inputs, vocabSize, DocSplit.BLANKLINE, "text", BadRecordPolicy.FAIL);
    }
  }

  private BpeTrainer() {}

  /**
   * Learns a tokenizer; save it with {@code Tokenizers.save}. {@code onMerge} receives the number of merges
   * learned so far (the total is {@code vocabSize - 257}).
   */
  public static ByteLevelBpe train(Settings settings, SparkSession spark, IntConsumer onMerge) {
    Map<String, Long> words = countWords(settings, spark);
    if (words.isEmpty()) {
      throw new DytrainException("the inputs " + settings.inputs() + " hold no text to learn a tokenizer from");
    }
    return BpeLearner.learn(words, settings.vocabSize(), "bpe", onMerge);
  }

  /** Distinct pre-tokenized words of the corpus with their counts, counted in parallel on Spark. */
  public static Map<String, Long> countWords(Settings settings, SparkSession spark) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<InputFile> inputs = InputListing.list(settings.inputs(), conf);
    SerializableConfiguration shipped = new SerializableConfiguration(conf);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobDescription("dytrain tokenizer train: count words in " + inputs.size() + " input file(s)");
    try {
      return new HashMap<>(
          jsc.parallelize(inputs, inputs.size())
              .flatMapToPair(input -> countIn(input, settings, shipped.get()).entrySet().stream()
                  .map(e -> new Tuple2<>(e.getKey(), e.getValue()))
                  .iterator())
              .reduceByKey(Long::sum)
              .collectAsMap());
    } catch (Exception e) { // SparkException is checked but thrown undeclared through the Java API
      throw PrepJob.userError(e);
    } finally {
      jsc.setJobDescription(null);
    }
  }

  private static Map<String, Long> countIn(InputFile input, Settings settings, Configuration conf) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    RecordCounts bad = new RecordCounts(input.path(), settings.onBadRecord());
    try (DocumentReader docs = DocumentReader.open(input, settings.docSplit(), settings.textField(), conf, bad)) {
      for (DocPiece piece; (piece = docs.next()) != null; ) {
        for (String word : ByteLevelPreTokenizer.split(piece.text())) {
          counts.merge(word, 1L, Long::sum);
        }
      }
    }
    return counts;
  }
}
