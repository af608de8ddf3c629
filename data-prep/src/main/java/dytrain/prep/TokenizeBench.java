package dytrain.prep;

import com.knuddels.jtokkit.api.Encoding;
import dytrain.config.DytrainException;
import dytrain.tokenizer.TiktokenTokenizer;
import dytrain.tokenizer.Tokenizer;
import dytrain.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code dytrain bench tokenize}: throughput of the whole prep pipeline (read, tokenize, write Parquet,
 * on Spark) against jtokkit's raw {@code encodeOrdinary} over the same documents held in memory, each with
 * 1..N cores, in one run. Raw encoding is the limit the pipeline approaches: its overhead per core is
 * {@code raw / pipeline - 1}, and its scaling is compared with raw encoding's own scaling on this machine.
 */
public final class TokenizeBench {

  /** What to measure with. {@code copies} repeats the corpus so each timed run lasts seconds, not milliseconds. */
  public record Settings(String input, String tokenizer, int copies, int files, List<Integer> cores, int rounds) {
    public Settings {
      if (rounds < 1) throw new DytrainException("--rounds " + rounds + " must be at least 1");
      if (copies < 1) throw new DytrainException("--copies " + copies + " must be at least 1");
      if (files < 1) throw new DytrainException("--files " + files + " must be at least 1");
      if (cores.isEmpty() || cores.stream().anyMatch(c -> c < 1)) {
        throw new DytrainException("--cores " + cores + " must list core counts of 1 or more");
      }
      cores = List.copyOf(cores);
    }
  }

  /**
   * One core count: seconds for the whole text by jtokkit's raw encoding, by dytrain's tokenizer alone
   * (jtokkit plus a cache of pieces' ids and its own splitters) and by the whole pipeline; and the
   * pipeline's seconds for the same number of one-line files, its cost per job whatever the corpus.
   */
  public record Row(int cores, double rawSeconds, double encoderSeconds, double pipelineSeconds, double perJobSeconds) {
    /** The figure: the pipeline against raw jtokkit, as measured. */
    public double overhead() {
      return pipelineSeconds / rawSeconds - 1;
    }

    /** What reading, writing and Spark cost on top of dytrain's own tokenizer, as measured. */
    public double overheadOverEncoder() {
      return pipelineSeconds / encoderSeconds - 1;
    }

    /** The pipeline's time per token without its per-job cost: what a larger corpus approaches. */
    public double perTokenSeconds() {
      return pipelineSeconds - perJobSeconds;
    }
  }

  public record Result(long documents, long bytes, long tokens, List<Row> rows) {}

  private TokenizeBench() {}

  public static Result run(Settings settings, Consumer<String> status) throws Exception {
    Tokenizer tokenizer = Tokenizers.load(settings.tokenizer());
    if (!(tokenizer instanceof TiktokenTokenizer tiktoken)) {
      throw new DytrainException(
          "--tokenizer " + settings.tokenizer() + ": the baseline is jtokkit, so give gpt2, cl100k_base or o200k_base");
    }
    Path work = Files.createTempDirectory("dytrain-bench-tokenize");
    try {
      List<String> docs = readDocuments(settings.input(), settings.copies());
      long bytes = docs.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
      writeInputs(docs, work.resolve("in"), settings.files());
      writeInputs(Collections.nCopies(settings.files(), "A line."), work.resolve("tiny"), settings.files());
      status.accept(String.format(
          "corpus: %s x%d = %,d documents, %.1f MB in %d files; tokenizer %s",
          settings.input(), settings.copies(), docs.size(), bytes / 1e6, settings.files(), tokenizer.name()));

      Encoding encoding = tiktoken.encoding();
      ToIntFunction<String> raw = d -> encoding.encodeOrdinary(d).size();
      ToIntFunction<String> ours = d -> tiktoken.encode(d).length;
      long tokens = 0; // one untimed pass each side (JIT), checking that they give the same ids
      for (String d : docs) {
        int[] expected = encoding.encodeOrdinary(d).toArray();
        if (!Arrays.equals(expected, tiktoken.encode(d))) throw new IllegalStateException("dytrain's tokenizer disagrees with jtokkit");
        tokens += expected.length;
      }
      List<Row> rows = new ArrayList<>();
      for (int cores : settings.cores()) {
        // Alternate the sides and keep the best of each, so a burst of other load on a shared machine does
        // not land on one side only. Each side keeps its threads (and so its tokenizer caches) across rounds.
        double rawSeconds = Double.MAX_VALUE;
        double encoderSeconds = Double.MAX_VALUE;
        double seconds = Double.MAX_VALUE;
        double perJob = Double.MAX_VALUE;
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        try (Pipeline pipeline = new Pipeline(settings, work, cores)) {
          encodeAll(ours, docs, pool, cores); // warm the pool's caches, as the pipeline's first run warms its own
          for (int round = 0; round < settings.rounds(); round++) {
            rawSeconds = Math.min(rawSeconds, timeEncodeAll(raw, docs, pool, cores, tokens));
            encoderSeconds = Math.min(encoderSeconds, timeEncodeAll(ours, docs, pool, cores, tokens));
            seconds = Math.min(seconds, pipeline.run(tokens, docs.size()));
            perJob = Math.min(perJob, pipeline.runTiny());
          }
        } finally {
          pool.shutdown();
        }
        rows.add(new Row(cores, rawSeconds, encoderSeconds, seconds, perJob));
        status.accept(String.format("%d core(s): raw %.0f tokens/s, dytrain tokenizer %.0f tokens/s, pipeline %.0f tokens/s",
            cores, tokens / rawSeconds, tokens / encoderSeconds, tokens / seconds));
      }
      return new Result(docs.size(), bytes, tokens, rows);
    } finally {
      deleteTree(work);
    }
  }

  /** PrepJob on its own local[cores] Spark, warmed up; session start-up is not part of any timing. */
  private static final class Pipeline implements AutoCloseable {
    private final SparkSession spark;
    private final PrepSettings prep;
    private final PrepSettings tiny;

    Pipeline(Settings settings, Path work, int cores) {
      spark =
          SparkSession.builder()
              .master("local[" + cores + "]")
              .appName("dytrain bench tokenize")
              .config("spark.ui.enabled", "false")
              .config("spark.ui.showConsoleProgress", "false")
              .getOrCreate();
      prep = PrepSettings.of(List.of(work.resolve("in").toString()), work.resolve("out-" + cores).toString(), settings.tokenizer())
          .withOverwrite(true);
      tiny = PrepSettings.of(List.of(work.resolve("tiny").toString()), work.resolve("tiny-" + cores).toString(), settings.tokenizer())
          .withOverwrite(true);
      // untimed runs first: class loading, and the JIT compiling Spark's, Parquet's and zstd's paths too
      // (after one run the compiler was still busy on the cores the timed runs need)
      for (int i = 0; i < 2; i++) {
        PrepJob.run(prep, spark);
        PrepJob.run(tiny, spark);
      }
    }

    /** Seconds for one full prep of the inputs, checked to have written exactly the raw token count. */
    double run(long expectedTokens, long documents) {
      long start = System.nanoTime();
      PrepJob.PrepResult result = PrepJob.run(prep, spark);
      double seconds = (System.nanoTime() - start) / 1e9;
      long tokens = result.manifest().totals().tokens() - documents; // the pipeline also writes one EOS per document
      if (tokens != expectedTokens) {
        throw new IllegalStateException("pipeline wrote " + tokens + " tokens, raw encoding gave " + expectedTokens);
      }
      return seconds;
    }

    /** Seconds for a prep of as many files holding one line each: job, task, file and manifest costs. */
    double runTiny() {
      long start = System.nanoTime();
      PrepJob.run(tiny, spark);
      return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
      spark.stop();
    }
  }

  private static double timeEncodeAll(ToIntFunction<String> encoder, List<String> docs, ExecutorService pool, int threads, long expected)
      throws Exception {
    long start = System.nanoTime();
    long tokens = encodeAll(encoder, docs, pool, threads);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (tokens != expected) throw new IllegalStateException("encoding gave " + tokens + " tokens, then " + expected);
    return seconds;
  }

  /** Tokens of all documents, split evenly over {@code threads} tasks of the pool. */
  private static long encodeAll(ToIntFunction<String> encoder, List<String> docs, ExecutorService pool, int threads) throws Exception {
    List<Future<Long>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int from = (int) ((long) docs.size() * t / threads);
      int to = (int) ((long) docs.size() * (t + 1) / threads);
      parts.add(pool.submit(() -> {
        long n = 0;
        for (String d : docs.subList(from, to)) n += encoder.applyAsInt(d);
        return n;
      }));
    }
    long total = 0;
    for (Future<Long> f : parts) total += f.get();
    return total;
  }

  private static List<String> readDocuments(String input, int copies) throws IOException {
    Configuration conf = new Configuration();
    List<String> once = new ArrayList<>();
    for (InputFile file : InputListing.list(List.of(input), conf)) {
      RecordCounts counts = new RecordCounts(file.path(), BadRecordPolicy.FAIL);
      try (DocumentReader reader = DocumentReader.open(file, DocSplit.BLANKLINE, "text", conf, counts)) {
        StringBuilder doc = new StringBuilder();
        for (DocPiece p; (p = reader.next()) != null; ) {
          doc.append(p.text());
          if (p.last()) {
            once.add(doc.toString());
            doc.setLength(0);
          }
        }
      }
    }
    List<String> docs = new ArrayList<>();
    for (int c = 0; c < copies; c++) docs.addAll(once);
    return docs;
  }

  /** Splits the documents into {@code files} plain-text inputs, blank-line separated, so prep has parallel work. */
  private static void writeInputs(List<String> docs, Path dir, int files) throws IOException {
    Files.createDirectories(dir);
    for (int f = 0; f < files; f++) {
      try (Writer w = Files.newBufferedWriter(dir.resolve(String.format("part-%03d.txt", f)), StandardCharsets.UTF_8)) {
        int from = (int) ((long) docs.size() * f / files);
        int to = (int) ((long) docs.size() * (f + 1) / files);
        for (String d : docs.subList(from, to)) {
          w.write(d);
          w.write("\n\n");
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
