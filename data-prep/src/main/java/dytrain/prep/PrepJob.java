package dytrain.prep;

import com.fasterxml.jackson.core.JsonProcessingException;
import dytrain.config.DytrainException;
import dytrain.config.UserErrors;
import dytrain.data.DatasetFileSystem;
import dytrain.data.Manifest;
import dytrain.data.SerializableConfiguration;
import dytrain.data.TokenDtype;
import dytrain.io.AtomicWrite;
import dytrain.tokenizer.Tokenizer;
import dytrain.tokenizer.Tokenizers;
import dytrain.train.DatasetTokenizer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code dytrain prep}: the driver side of tokenizing a corpus into a token dataset. One Spark task per
 * input part (a file, or a slice of a large one: {@link InputSplits}) does the work ({@link PrepTask});
 * the driver decides what is left to do, and writes manifest.json last, from the per-part results, once
 * every part is done.
 *
 * <p>Restart safety: {@code _prep.json} records the settings and inputs the folder is being built from;
 * {@code _inputs/input-N.json} marks input N done. A rerun with the same command redoes only inputs
 * without a result (or whose shards went missing), then writes the same manifest an uninterrupted run would.
 */
public final class PrepJob {
  private static final Pattern OWN_FILE =
      Pattern.compile("manifest\\.json|tokenizer\\.json|_prep\\.json|_inputs|_tmp|\\..*\\.tmp|(train|val)-\\d{5,}-\\d{4,}\\.parquet");

  /** How a run ended: the manifest, and how many inputs it tokenized versus found already done. */
  public record PrepResult(Manifest manifest, int inputsRun, int inputsReused, boolean alreadyComplete) {}

  /** The settings and inputs a dataset folder is built from; a rerun must match them to resume. */
  record Identity(Manifest.Prep prep, Manifest.TokenizerInfo tokenizer, List<Manifest.InputFile> inputs) {}

  private PrepJob() {}

  public static PrepResult run(PrepSettings settings, SparkSession spark) {
    return run(settings, spark, line -> {});
  }

  public static PrepResult run(PrepSettings settings, SparkSession spark, Consumer<String> status) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Tokenizer tokenizer = Tokenizers.load(settings.tokenizer());
    List<InputFile> files = InputListing.list(settings.inputs(), conf);
    List<InputFile> inputs = InputSplits.split(files, settings.docSplit(), settings.splitBytes(), conf);
    Manifest.TokenizerInfo tokenizerInfo =
        new Manifest.TokenizerInfo(
            tokenizer.name(), tokenizer.vocabSize(), tokenizer.bosId(), tokenizer.eosId(), tokenizer.definitionHash());
    Identity identity =
        new Identity(
            // the part size shapes the output only when it cut a file; otherwise changing it redoes nothing
            inputs.size() > files.size() ? settings.recorded() : settings.withSplitBytes(0).recorded(),
            tokenizerInfo,
            files.stream().map(f -> new Manifest.InputFile(f.path(), f.bytes())).toList());
    try {
      Path dir = new Path(settings.output());
      FileSystem fs = DatasetFileSystem.of(dir, conf);
      prepareFolder(fs, dir, settings, identity);

      Manifest done = completeManifest(fs, dir);
      if (done != null) {
        status.accept("prep: " + dir + " is already complete with these settings; nothing to do (--overwrite redoes it)");
        return new PrepResult(done, 0, inputs.size(), true);
      }
      fs.delete(new Path(dir, Manifest.FILE_NAME), false); // a dataset with missing shards is not complete

      List<InputFile> pending = new ArrayList<>();
      for (InputFile input : inputs) {
        if (readResult(fs, dir, input) == null) pending.add(input);
      }
      status.accept(
          "prep: " + files.size() + " input file(s)" + (inputs.size() > files.size() ? " in " + inputs.size() + " parts" : "")
              + ", " + pending.size() + " to tokenize"
              + (pending.size() < inputs.size() ? " (" + (inputs.size() - pending.size()) + " done by an earlier run)" : "")
              + ", tokenizer " + tokenizer.name() + " (vocab " + tokenizer.vocabSize() + ")");
      if (!pending.isEmpty()) {
        tokenize(spark, settings, tokenizer, conf, pending);
      }

      Manifest manifest = buildManifest(fs, dir, inputs, identity, tokenizerInfo);
      copyTokenizerFile(settings.tokenizer(), fs, dir, conf);
      AtomicWrite.file(fs, new Path(dir, Manifest.FILE_NAME), manifest.toJson());
      fs.delete(new Path(dir, "_tmp"), true);
      return new PrepResult(manifest, pending.size(), inputs.size() - pending.size(), false);
    } catch (IOException e) {
      throw new DytrainException("--output " + settings.output() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A tokenizer given as a tokenizer.json goes into the dataset folder, where the trainer looks first: the
   * dataset then carries what decoding needs wherever it is read (executors, another machine).
   */
  private static void copyTokenizerFile(String spec, FileSystem fs, Path dir, Configuration conf) throws IOException {
    if (!spec.endsWith(".json")) {
      return;
    }
    Path source = new Path(spec);
    String json = DatasetFileSystem.readString(source.getFileSystem(conf), source);
    AtomicWrite.file(fs, new Path(dir, DatasetTokenizer.FILE), json);
  }

  private static void tokenize(
      SparkSession spark, PrepSettings settings, Tokenizer tokenizer, Configuration conf, List<InputFile> pending) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = settings.partitions() > 0 ? Math.min(settings.partitions(), pending.size()) : pending.size();
    PrepTask task = new PrepTask(settings, tokenizer, new SerializableConfiguration(conf));
    jsc.setJobDescription("dytrain prep: tokenize " + pending.size() + " input part(s)");
    try {
      jsc.parallelize(pending, slices)
          .foreach(input -> task.run(input, "attempt-" + TaskContext.get().taskAttemptId()));
    } catch (Exception e) { // SparkException is checked but thrown undeclared through the Java API
      throw userError(e);
    } finally {
      jsc.setJobDescription(null);
    }
  }

  /** A task's failure as the user should see it: its DytrainException's message, or the failure itself. */
  static RuntimeException userError(Exception e) {
    return UserErrors.in(e).<RuntimeException>map(user -> user)
        .orElseGet(() -> e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e));
  }

  /**
   * Refuses folders that hold foreign files or a dataset built from other settings or inputs (unless
   * --overwrite), then records this run's identity.
   */
  private static void prepareFolder(FileSystem fs, Path dir, PrepSettings settings, Identity identity)
      throws IOException {
    if (fs.exists(dir)) {
      if (!fs.getFileStatus(dir).isDirectory()) {
        throw new DytrainException("--output " + dir + " is a file; give a folder for the dataset");
      }
      for (FileStatus f : fs.listStatus(dir)) {
        if (!OWN_FILE.matcher(f.getPath().getName()).matches()) {
          throw new DytrainException(
              "--output " + dir + " holds " + f.getPath().getName() + ", which prep did not write; give an empty"
                  + " folder or one holding a dytrain dataset");
        }
      }
    }
    Path identityFile = new Path(dir, "_prep.json");
    String wanted = InputResult.JSON.writeValueAsString(identity) + "\n";
    if (settings.overwrite()) {
      clearOwnWork(fs, dir, settings.tokenizer());
    } else if (fs.exists(identityFile)) {
      String found = DatasetFileSystem.readString(fs, identityFile);
      if (!found.equals(wanted)) {
        if (finishedAnInput(fs, dir)) {
          throw new DytrainException(
              "--output " + dir + " holds a dataset prepared from other " + differences(found, identity)
                  + "; pass --overwrite to replace it, or choose another folder");
        }
        // an earlier run with other settings failed before finishing any input: nothing there to keep
        clearOwnWork(fs, dir, settings.tokenizer());
      }
    } else if (fs.exists(new Path(dir, Manifest.FILE_NAME))) {
      throw new DytrainException(
          "--output " + dir + " holds a dataset without _prep.json; pass --overwrite to replace it");
    }
    fs.mkdirs(dir);
    AtomicWrite.file(fs, identityFile, wanted);
  }

  /** Deletes what prep wrote into the folder, but never the tokenizer.json this run reads as its --tokenizer. */
  private static void clearOwnWork(FileSystem fs, Path dir, String tokenizerSpec) throws IOException {
    if (!fs.exists(dir)) return;
    Path tokenizerRead = tokenizerSpec.endsWith(".json") ? fs.makeQualified(new Path(tokenizerSpec)) : null;
    for (FileStatus f : fs.listStatus(dir)) {
      if (!fs.makeQualified(f.getPath()).equals(tokenizerRead)) fs.delete(f.getPath(), true);
    }
  }

  private static boolean finishedAnInput(FileSystem fs, Path dir) throws IOException {
    Path results = new Path(dir, "_inputs");
    return fs.exists(new Path(dir, Manifest.FILE_NAME)) || fs.exists(results) && fs.listStatus(results).length > 0;
  }

  private static String differences(String found, Identity wanted) {
    Identity old;
    try {
      old = InputResult.JSON.readValue(found, Identity.class);
    } catch (JsonProcessingException e) {
      return "settings (its _prep.json is unreadable)";
    }
    Manifest.Prep was = old.prep();
    Manifest.Prep now = wanted.prep();
    List<String> what = new ArrayList<>();
    compare(what, "--tokenizer", was.tokenizerSpec(), now.tokenizerSpec());
    compare(what, "--doc-split", was.docSplit(), now.docSplit());
    compare(what, "--text-field", was.textField(), now.textField());
    compare(what, "--on-bad-record", was.onBadRecord(), now.onBadRecord());
    compare(what, "--val-fraction", was.valFraction(), now.valFraction());
    compare(what, "--seed", was.seed(), now.seed());
    compare(what, "--append-eos", was.appendEos(), now.appendEos());
    compare(what, "--shard-tokens", was.shardTokens(), now.shardTokens());
    compare(what, "--split-mb", splitMb(was.splitBytes()), splitMb(now.splitBytes()));
    if (!old.tokenizer().equals(wanted.tokenizer()) && was.tokenizerSpec().equals(now.tokenizerSpec())) {
      what.add("tokenizer (" + old.tokenizer().name() + ", another definition)");
    }
    if (!old.inputs().equals(wanted.inputs())) what.add("inputs (" + firstDifference(old.inputs(), wanted.inputs()) + ")");
    return what.isEmpty() ? "settings" : "settings: " + String.join(", ", what);
  }

  private static void compare(List<String> what, String flag, Object was, Object now) {
    if (!Objects.equals(was, now)) what.add(flag + " (was " + was + ", now " + now + ")");
  }

  /** --split-mb as the user gives it: the identity records bytes, and 0 or none for files not cut. */
  private static Object splitMb(Long bytes) {
    return bytes == null || bytes == 0 ? "files not cut" : bytes >> 20;
  }

  private static String firstDifference(List<Manifest.InputFile> was, List<Manifest.InputFile> now) {
    for (int i = 0; i < Math.min(was.size(), now.size()); i++) {
      if (!was.get(i).equals(now.get(i))) {
        return "was " + was.get(i).path() + " of " + was.get(i).bytes() + " bytes, now " + now.get(i).path() + " of " + now.get(i).bytes();
      }
    }
    return "was " + was.size() + " files, now " + now.size();
  }

  /** The existing manifest if it and every shard it lists are in place, else null. */
  private static Manifest completeManifest(FileSystem fs, Path dir) throws IOException {
    Path file = new Path(dir, Manifest.FILE_NAME);
    if (!fs.exists(file)) return null;
    Manifest m;
    try {
      m = Manifest.fromJson(DatasetFileSystem.readString(fs, file));
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
    for (Manifest.Split split : m.splits().values()) {
      if (!allPresent(fs, dir, split.shards())) return null;
    }
    return m;
  }

  /** The result of an input done by an earlier run, or null if it must be (re)done. */
  private static InputResult readResult(FileSystem fs, Path dir, InputFile input) throws IOException {
    String json;
    try {
      json = DatasetFileSystem.readString(fs, new Path(dir, InputResult.fileName(input.index())));
    } catch (FileNotFoundException e) {
      return null;
    }
    try {
      InputResult r = InputResult.fromJson(json);
      boolean same = r.input() == input.index() && r.path().equals(input.path());
      return same && allPresent(fs, dir, r.train()) && allPresent(fs, dir, r.val()) ? r : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean allPresent(FileSystem fs, Path dir, List<Manifest.Shard> shards) throws IOException {
    for (Manifest.Shard s : shards) {
      Path p = new Path(dir, s.file());
      if (!fs.exists(p) || fs.getFileStatus(p).getLen() != s.bytes()) return false;
    }
    return true;
  }

  private static Manifest buildManifest(
      FileSystem fs, Path dir, List<InputFile> inputs, Identity identity, Manifest.TokenizerInfo tokenizer)
      throws IOException {
    List<Manifest.Shard> train = new ArrayList<>();
    List<Manifest.Shard> val = new ArrayList<>();
    long trainDocs = 0, valDocs = 0, skipped = 0, invalid = 0;
    for (InputFile input : inputs) {
      InputResult r = readResult(fs, dir, input);
      if (r == null) {
        throw new IllegalStateException("input " + input.path() + " has no complete result after its task ran");
      }
      train.addAll(r.train());
      val.addAll(r.val());
      trainDocs += r.trainDocuments();
      valDocs += r.valDocuments();
      skipped += r.skippedRecords();
      invalid += r.invalidUtf8Records();
    }
    if (trainDocs + valDocs == 0) {
      throw new DytrainException(
          "the inputs hold no documents (" + inputs.size() + " part(s), e.g. " + inputs.get(0).path()
              + (skipped > 0 ? ", " + skipped + " bad records skipped" : "")
              + "); check --doc-split and --text-field; no dataset was written");
    }
    Map<String, Manifest.Split> splits = new LinkedHashMap<>();
    splits.put("train", split(trainDocs, train));
    splits.put("val", split(valDocs, val));
    long rows = splits.values().stream().mapToLong(Manifest.Split::rows).sum();
    long tokens = splits.values().stream().mapToLong(Manifest.Split::tokens).sum();
    return new Manifest(
        Manifest.FORMAT_VERSION,
        tokenizer,
        TokenDtype.forVocab(tokenizer.vocabSize()),
        splits,
        new Manifest.Totals(trainDocs + valDocs, rows, tokens, skipped, invalid),
        Manifest.contentHash(splits),
        identity.inputs(),
        identity.prep());
  }

  private static Manifest.Split split(long documents, List<Manifest.Shard> shards) {
    return new Manifest.Split(
        documents,
        shards.stream().mapToLong(Manifest.Shard::rows).sum(),
        shards.stream().mapToLong(Manifest.Shard::tokens).sum(),
        shards);
  }
}
