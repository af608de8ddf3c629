package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.data.Manifest;
import dytrain.prep.BadRecordPolicy;
import dytrain.prep.DocSplit;
import dytrain.prep.PrepJob;
import dytrain.prep.PrepSettings;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "prep",
    description = {
      "Tokenize a corpus into Parquet token shards plus manifest.json (one Spark task per input file).",
      "Rerunning the same command resumes a crashed run, or does nothing if the dataset is complete."
    })
final class PrepCommand implements Runnable {
  @Option(names = "--input", arity = "1..*", required = true, paramLabel = "PATH",
      description = "Files, folders or globs on any Hadoop file system: .txt (plain or .gz), .jsonl, .parquet.")
  List<String> inputs;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Dataset folder to write.")
  String output;

  @Option(names = "--tokenizer", required = true, paramLabel = "T",
      description = "gpt2, cl100k_base, o200k_base, byte, or a path to a tokenizer.json.")
  String tokenizer;

  @Option(names = "--doc-split", defaultValue = "blankline", description = "Plain text documents: file, blankline or line (default ${DEFAULT-VALUE}).")
  String docSplit;

  @Option(names = "--text-field", defaultValue = "text", description = "JSON field or Parquet column with the text (default ${DEFAULT-VALUE}).")
  String textField;

  @Option(names = "--on-bad-record", defaultValue = "fail", description = "fail or skip (skips are counted in the manifest; default ${DEFAULT-VALUE}).")
  String onBadRecord;

  @Option(names = "--val-fraction", defaultValue = "0.0", description = "Fraction of documents for the val split (default ${DEFAULT-VALUE}).")
  double valFraction;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the train/val assignment (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--append-eos", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "End every document with the EOS token (default on; --no-append-eos turns it off).")
  boolean appendEos;

  @Option(names = "--shard-tokens", defaultValue = "50000000", description = "Target tokens per shard file (default ${DEFAULT-VALUE}).")
  long shardTokens;

  @Option(names = "--partitions", defaultValue = "0", description = "Spark tasks; 0 = one per input part. Never changes the output.")
  int partitions;

  @Option(names = "--split-mb", defaultValue = "128",
      description = "Read uncompressed text and JSON lines files larger than this in parts of this many MB, one task each; 0 = one task per file (default ${DEFAULT-VALUE}).")
  long splitMb;

  @Option(names = "--overwrite", description = "Replace a dataset already in --output.")
  boolean overwrite;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master when not run by spark-submit (default ${DEFAULT-VALUE}).")
  String master;

  @Override
  public void run() {
    if (splitMb > 1L << 30) { // 1 PB, beyond any file; a larger value would overflow as bytes
      throw new DytrainException("--split-mb = " + splitMb + " must be at most " + (1L << 30) + " (MB); 0 never cuts a file");
    }
    PrepSettings settings =
        new PrepSettings(
            inputs, output, tokenizer, DocSplit.parse(docSplit), textField, BadRecordPolicy.parse(onBadRecord),
            valFraction, seed, appendEos, shardTokens, overwrite, partitions, splitMb << 20);
    SparkSession spark = DriverSession.start(master, "dytrain prep");
    try {
      System.err.printf("prep: Spark master %s, %d task slots%n", spark.sparkContext().master(),
          spark.sparkContext().defaultParallelism());
      long start = System.nanoTime();
      PrepJob.PrepResult result = PrepJob.run(settings, spark, System.err::println);
      double seconds = (System.nanoTime() - start) / 1e9;
      Manifest m = result.manifest();
      if (!result.alreadyComplete()) {
        System.out.printf(
            "prep: wrote %s: %,d documents, %,d tokens (%s), %d train + %d val shards in %.1f s (%,.0f tokens/s)%n",
            output, m.totals().documents(), m.totals().tokens(), m.tokenDtype().jsonName(),
            m.split("train").shards().size(), m.split("val").shards().size(), seconds, m.totals().tokens() / seconds);
        if (m.totals().skippedRecords() > 0 || m.totals().invalidUtf8Records() > 0) {
          System.out.printf(
              "prep: %,d bad records skipped, %,d records with invalid UTF-8 repaired%n",
              m.totals().skippedRecords(), m.totals().invalidUtf8Records());
        }
      }
    } finally {
      spark.stop();
    }
  }
}
