package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.prep.BadRecordPolicy;
import dytrain.prep.BpeTrainer;
import dytrain.prep.DocSplit;
import dytrain.tokenizer.BpeLearner;
import dytrain.tokenizer.ByteLevelBpe;
import dytrain.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tokenizer", description = "Tokenizers: learn a byte-level BPE from a corpus.",
    subcommands = {TokenizerCommand.Train.class})
final class TokenizerCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "train", description = {
      "Learn a byte-level BPE (GPT-2 style) and write it as a Hugging Face tokenizer.json.",
      "Words are counted on Spark, one task per input file; merges are learned on the driver."})
  static final class Train implements Runnable {
    @Option(names = "--input", arity = "1..*", required = true, paramLabel = "PATH", description = "Files, folders or globs.")
    List<String> inputs;

    @Option(names = "--vocab-size", required = true, paramLabel = "N", description = "Ids in total: 256 bytes + merges + <|endoftext|>.")
    int vocabSize;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "tokenizer.json to write.")
    Path output;

    @Option(names = "--doc-split", defaultValue = "blankline", description = "Plain text documents: file, blankline or line (default ${DEFAULT-VALUE}).")
    String docSplit;

    @Option(names = "--text-field", defaultValue = "text", description = "JSON field or Parquet column with the text (default ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--on-bad-record", defaultValue = "fail", description = "fail or skip (default ${DEFAULT-VALUE}).")
    String onBadRecord;

    @Option(names = "--master", defaultValue = "local[*]", description = "Spark master when not run by spark-submit (default ${DEFAULT-VALUE}).")
    String master;

    @Override
    public void run() {
      BpeTrainer.Settings settings =
          new BpeTrainer.Settings(inputs, vocabSize, DocSplit.parse(docSplit), textField, BadRecordPolicy.parse(onBadRecord));
      if (Files.isDirectory(output)) { // before the counting and merging, not after
        throw new DytrainException("--output " + output + " is a folder; give the tokenizer.json file to write");
      }
      SparkSession spark = DriverSession.start(master, "dytrain tokenizer train");
      Map<String, Long> words;
      try {
        words = BpeTrainer.countWords(settings, spark);
      } finally {
        spark.stop();
      }
      if (words.isEmpty()) {
        throw new DytrainException("--input " + inputs + ": no text to learn a tokenizer from");
      }
      System.err.printf("tokenizer train: %,d distinct words counted; learning merges%n", words.size());
      ByteLevelBpe bpe;
      try (ProgressBar bar = ConsoleProgress.bar("merges", vocabSize - 257)) {
        bpe = BpeLearner.learn(words, vocabSize, "bpe", bar::stepTo);
      }
      try {
        Tokenizers.save(bpe, output);
      } catch (IOException e) {
        throw new DytrainException("--output " + output + ": cannot write: " + e.getMessage(), e);
      }
      if (bpe.vocabSize() < vocabSize) {
        System.err.printf(
            "tokenizer train: the corpus has no pair left to merge after %d merges, so the vocabulary has %d ids,"
                + " not the %d asked for%n", bpe.merges().size(), bpe.vocabSize(), vocabSize);
      }
      System.out.printf(
          "tokenizer train: wrote %s: vocab %d (%d merges), <|endoftext|> = %d%n",
          output, bpe.vocabSize(), bpe.merges().size(), bpe.eosId());
    }
  }
}
