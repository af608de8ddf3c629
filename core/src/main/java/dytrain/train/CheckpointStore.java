package dytrain.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.export.ModelExport;
import dytrain.export.SafeTensors;
import dytrain.io.AtomicWrite;
import dytrain.io.Sha256;
import dytrain.io.StorageFull;
import dytrain.model.Llama;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints on any Hadoop file system, one folder per step: the model in the export format, the
 * optimizer moments, state.json, extra files (the tokenizer), SHA256SUMS and, written last, the marker
 * {@code DONE}. A checkpoint is complete when its marker exists; its checksums are verified on load. Where
 * a folder rename is atomic (the local disk, HDFS: one NameNode operation) the folder is also written under
 * a temporary name and renamed into place. Object stores (s3a://) have no rename (S3A copies object by
 * object), so there the files go straight into {@code step-N} and the marker alone says it is whole: each
 * file is one PUT that appears only when closed, so the marker's PUT follows every other file's. The
 * last {@code keep_last} are kept, plus every {@code keep_every}-th.
 */
public final class CheckpointStore {

  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "state.json";
  public static final String SUMS = "SHA256SUMS";
  private static final String FOLDER = "checkpoints";
  /** Written after every other file of a checkpoint (llm.c's DONE file): without it the folder is not a checkpoint. */
  public static final String DONE = "DONE";
  /** Schemes whose rename of a folder is atomic; elsewhere a checkpoint is written in place and marked. */
  private static final Set<String> ATOMIC_RENAME = Set.of("file", "hdfs");
  public static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern NAME = Pattern.compile("step-(\\d+)");
  private static final Pattern HALF_WRITTEN = Pattern.compile("step-\\d+\\.tmp");
  private static final Pattern RANK_FILE = Pattern.compile("step-(\\d+)\\.safetensors");

  /** A checkpoint folder and the step it holds. */
  public record Checkpoint(long step, Path dir) {}

  /** What a checkpoint restores. */
  public record Loaded(Llama model, Map<String, float[]> optimizerState, TrainState state, Map<String, byte[]> files) {}

  private final Path root;
  private final FileSystem fs;
  private final int keepLast;
  private final int keepEvery;
  private final Set<Long> keepSteps;

  public CheckpointStore(String runDir, Configuration conf, int keepLast, int keepEvery) {
    this(runDir, conf, keepLast, keepEvery, List.of());
  }

  /** @param keepSteps steps whose checkpoints are never pruned (train.checkpoint_at: a sweep's branch points) */
  public CheckpointStore(String runDir, Configuration conf, int keepLast, int keepEvery, List<Integer> keepSteps) {
    this.root = folderOf(runDir);
    this.keepLast = keepLast;
    this.keepEvery = keepEvery;
    this.keepSteps = new HashSet<>();
    keepSteps.forEach(s -> this.keepSteps.add(s.longValue()));
    try {
      this.fs = DatasetFileSystem.of(root, conf);
    } catch (IOException e) {
      throw new DytrainException("cannot open run folder " + runDir + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  /** The folder of a run folder's checkpoints. */
  public static Path folderOf(String runDir) {
    return new Path(runDir, FOLDER);
  }

  /** How a user names one checkpoint of a run folder, in messages: {@code RUN/checkpoints/step-N}. */
  public static String checkpointPattern(String runDir) {
    return runDir + "/" + FOLDER + "/step-N";
  }

  /** Whether {@code dir} is a run folder: one that holds checkpoints, not a checkpoint or an export itself. */
  public static boolean isRunFolder(FileSystem fs, Path dir) throws IOException {
    Path folder = new Path(dir, FOLDER);
    return fs.exists(folder) && fs.getFileStatus(folder).isDirectory();
  }

  /** Whether {@code dir} is a complete checkpoint folder: it has its {@value #SUMS}. */
  public static boolean isCheckpoint(FileSystem fs, Path dir) throws IOException {
    if (fs.exists(new Path(dir, DONE))) {
      return true;
    }
    // checkpoints of earlier builds carry no marker; where a folder is renamed into place, SUMS proves it whole
    Path sums = new Path(dir, SUMS);
    return ATOMIC_RENAME.contains(fs.getUri().getScheme()) && fs.exists(sums) && fs.getFileStatus(sums).isFile();
  }

  /** The newest complete checkpoint of a run folder; none when it holds none (or does not exist). */
  public static Optional<Checkpoint> newestIn(String runDir, Configuration conf) throws IOException {
    return new CheckpointStore(runDir, conf, Integer.MAX_VALUE, 0).newest();
  }

  /** Every complete checkpoint of a run folder, newest first; none when it holds none (or does not exist). */
  public static List<Checkpoint> listIn(String runDir, Configuration conf) throws IOException {
    return new CheckpointStore(runDir, conf, Integer.MAX_VALUE, 0).list();
  }

  public Checkpoint save(Llama model, AdamW optimizer, TrainState state, Map<String, byte[]> files) throws IOException {
    return save(model, optimizer, Map.of(), state, files);
  }

  /** A checkpoint whose optimizer file also holds {@code syncState} (see {@link DataParallel#onCheckpoint}). */
  public Checkpoint save(Llama model, AdamW optimizer, Map<String, float[]> syncState, TrainState state,
      Map<String, byte[]> files) throws IOException {
    Path dir = new Path(root, String.format("step-%08d", state.step()));
    boolean renames = ATOMIC_RENAME.contains(fs.getUri().getScheme());
    Path tmp = renames ? new Path(root, dir.getName() + ".tmp") : dir;
    if (fs.exists(root)) {
      for (FileStatus f : fs.listStatus(root)) { // left by a save that crashed mid-write, this one's too
        String name = f.getPath().getName();
        if (HALF_WRITTEN.matcher(name).matches()
            || !renames && NAME.matcher(name).matches() && !fs.exists(new Path(f.getPath(), DONE))) {
          fs.delete(f.getPath(), true);
        }
      }
    }
    AtomicWrite.Contents contents = into -> {
      Map<String, String> sums = new LinkedHashMap<>();
      sums.put(ModelExport.WEIGHTS, write(into, ModelExport.WEIGHTS, out -> ModelExport.writeWeights(model, out)));
      byte[] config = ModelExport.configJson(model);
      sums.put(ModelExport.CONFIG, write(into, ModelExport.CONFIG, out -> out.write(config)));
      Map<String, SafeTensors.Tensor> optimizerState = tensors(optimizer.state());
      syncState.forEach((name, values) -> optimizerState.put(name, new SafeTensors.Tensor(new long[] {values.length}, values)));
      sums.put(OPTIMIZER, write(into, OPTIMIZER, out -> SafeTensors.write(optimizerState, Map.of(), out)));
      byte[] stateJson = JSON.writeValueAsBytes(state);
      sums.put(STATE, write(into, STATE, out -> out.write(stateJson)));
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        sums.put(f.getKey(), write(into, f.getKey(), out -> out.write(f.getValue())));
      }
      StringBuilder text = new StringBuilder();
      sums.forEach((name, sum) -> text.append(sum).append("  ").append(name).append('\n'));
      write(into, SUMS, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
      // every file above is closed (on S3: uploaded) before the marker is created
      write(into, DONE, out -> out.write(("step " + state.step() + "\n").getBytes(StandardCharsets.UTF_8)));
    };
    StorageFull.guard(() -> {
      if (renames) {
        AtomicWrite.folder(fs, dir, tmp, contents); // replaces a same-step folder only once the new one is whole
      } else {
        discard(dir); // a same-step folder an earlier attempt left is written over in place
        fs.mkdirs(dir);
        contents.writeTo(dir);
      }
    }, reason -> "checkpoint " + dir + " does not fit: " + reason + "; " + whatIsKept()
        + ". Make room (or raise the quota) and rerun the same command to resume");
    prune();
    return new Checkpoint(state.step(), dir);
  }

  /** After a failed save: the checkpoint a rerun resumes from, in words. */
  private String whatIsKept() {
    try {
      return newest().map(c -> "the checkpoint at step " + c.step() + " is kept, whole")
          .orElse("there is no earlier checkpoint, so a rerun starts afresh");
    } catch (IOException e) {
      return "the checkpoints before it are kept";
    }
  }

  /** A rank's own optimizer state and its own count of applied updates (its NaN guard skips its own steps). */
  public record RankOptimizer(Map<String, float[]> state, long updates) {}

  /**
   * Saves the optimizer state of a rank other than 0, for schemes where each rank's is its own
   * ({@link DataParallel#onCheckpoint}): {@code ranks/rank-R/step-N.safetensors}, written under a
   * temporary name and renamed. Rank 0 prunes these with its checkpoints.
   */
  public void saveRankOptimizer(int rank, long step, AdamW optimizer) throws IOException {
    Path file = rankOptimizerFile(rank, step);
    fs.mkdirs(file.getParent());
    Map<String, String> metadata = Map.of("updates", Long.toString(optimizer.updates()));
    AtomicWrite.file(fs, file,
        tmp -> write(tmp.getParent(), tmp.getName(), out -> SafeTensors.write(tensors(optimizer.state()), metadata, out)));
  }

  /** A rank's own optimizer state saved at {@code step}, if there is one. */
  public Optional<RankOptimizer> loadRankOptimizer(int rank, long step) throws IOException {
    Path file = rankOptimizerFile(rank, step);
    if (!fs.exists(file)) {
      return Optional.empty();
    }
    SafeTensors.Contents contents;
    try (var in = fs.open(file)) {
      contents = SafeTensors.readWithMetadata(in, file.toString());
    }
    Map<String, float[]> state = new LinkedHashMap<>();
    contents.tensors().forEach((name, t) -> state.put(name, t.data()));
    String updates = contents.metadata().get("updates");
    if (updates == null) {
      throw new DytrainException(file + ": no update count in its metadata; not a rank optimizer file");
    }
    return Optional.of(new RankOptimizer(state, Long.parseLong(updates)));
  }

  private Path rankOptimizerFile(int rank, long step) {
    return new Path(root, String.format("ranks/rank-%d/step-%08d.safetensors", rank, step));
  }

  /** Deletes rank optimizer files of steps that are not kept checkpoints (older, or left by a crashed attempt). */
  private void pruneRankOptimizers(List<Checkpoint> kept) throws IOException {
    Path ranks = new Path(root, "ranks");
    if (!fs.exists(ranks)) {
      return;
    }
    Set<Long> keep = new HashSet<>();
    kept.forEach(c -> keep.add(c.step()));
    for (FileStatus rankDir : fs.listStatus(ranks)) {
      for (FileStatus f : fs.listStatus(rankDir.getPath())) {
        Matcher m = RANK_FILE.matcher(f.getPath().getName());
        if (m.matches() && !keep.contains(Long.parseLong(m.group(1)))) {
          fs.delete(f.getPath(), false);
        }
      }
    }
  }

  /** Complete checkpoints, newest first. */
  public List<Checkpoint> list() throws IOException {
    List<Checkpoint> out = new ArrayList<>();
    if (!fs.exists(root)) {
      return out;
    }
    for (FileStatus s : fs.listStatus(root)) {
      Matcher m = NAME.matcher(s.getPath().getName());
      if (s.isDirectory() && m.matches() && isCheckpoint(fs, s.getPath())) {
        out.add(new Checkpoint(Long.parseLong(m.group(1)), s.getPath()));
      }
    }
    out.sort((a, b) -> Long.compare(b.step(), a.step()));
    return out;
  }

  /**
   * A checkpoint folder is complete when its marker exists. Folders renamed into place before the marker
   * existed are complete by their name where renames are atomic, and hold SHA256SUMS.
   */

  /** Deletes a checkpoint folder marker first, so a delete cut short never leaves a marked, partial folder. */
  private void discard(Path dir) throws IOException {
    fs.delete(new Path(dir, DONE), false);
    fs.delete(dir, true);
  }

  public Optional<Checkpoint> newest() throws IOException {
    return list().stream().findFirst();
  }

  /** Loads a checkpoint, verifying every file against SHA256SUMS first. */
  /** The training state a checkpoint folder holds: its step, tokens seen, where the data stands. */
  public static TrainState readState(Path checkpointDir, Configuration conf) throws IOException {
    FileSystem fs = DatasetFileSystem.of(checkpointDir, conf);
    try (InputStream in = fs.open(new Path(checkpointDir, STATE))) {
      return JSON.readValue(in, TrainState.class);
    }
  }

  public Loaded load(Checkpoint c, Device device) throws IOException {
    return load(c, device, null);
  }

  /**
   * The same, the model computing in {@code dtype} (null: the dtype it was trained in). The weights are
   * fp32 whatever the run computed in, so a run may resume in another dtype.
   */
  public Loaded load(Checkpoint c, Device device, String dtype) throws IOException {
    Map<String, byte[]> files = readVerified(fs, c.dir());
    for (String needed : List.of(ModelExport.CONFIG, ModelExport.WEIGHTS, OPTIMIZER, STATE)) {
      if (!files.containsKey(needed)) {
        throw new DytrainException("checkpoint " + c.dir() + " is incomplete: its " + SUMS + " does not list " + needed);
      }
    }
    var config = ModelExport.parseConfig(JSON.readTree(files.remove(ModelExport.CONFIG)), c.dir() + "/" + ModelExport.CONFIG);
    var weights = SafeTensors.read(new ByteArrayInputStream(files.remove(ModelExport.WEIGHTS)), c.dir() + "/" + ModelExport.WEIGHTS);
    var opt = SafeTensors.read(new ByteArrayInputStream(files.remove(OPTIMIZER)), c.dir() + "/" + OPTIMIZER);
    TrainState state = JSON.readValue(files.remove(STATE), TrainState.class);
    Map<String, float[]> optState = new LinkedHashMap<>();
    opt.forEach((name, t) -> optState.put(name, t.data()));
    Llama model = ModelExport.fromTensors(dtype == null ? config : config.withDtype(dtype), weights, device,
        c.dir() + "/" + ModelExport.WEIGHTS);
    return new Loaded(model, optState, state, files);
  }

  /** Checks every file a checkpoint's SHA256SUMS lists, reading each as a stream (no file held in memory). */
  public static void verify(FileSystem fs, Path dir) throws IOException {
    for (Map.Entry<String, String> listed : listedSums(fs, dir).entrySet()) {
      MessageDigest digest = Sha256.digest();
      try (InputStream in = new DigestInputStream(fs.open(new Path(dir, listed.getKey())), digest)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      requireDigest(dir, listed.getKey(), listed.getValue(), Sha256.hex(digest));
    }
  }

  /** Every file listed in a checkpoint's SHA256SUMS, after checking its digest. */
  public static Map<String, byte[]> readVerified(FileSystem fs, Path dir) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Map.Entry<String, String> listed : listedSums(fs, dir).entrySet()) {
      byte[] bytes;
      try (InputStream in = fs.open(new Path(dir, listed.getKey()))) {
        bytes = in.readAllBytes();
      }
      requireDigest(dir, listed.getKey(), listed.getValue(), Sha256.hex(bytes));
      files.put(listed.getKey(), bytes);
    }
    return files;
  }

  private static void requireDigest(Path dir, String name, String expected, String actual) {
    if (!actual.equals(expected)) {
      throw new DytrainException("checkpoint file " + new Path(dir, name) + " is corrupt: sha256 " + actual
          + " differs from " + expected + " in " + SUMS);
    }
  }

  /** File name to expected sha256, as SHA256SUMS lists them; each listed file exists. */
  private static Map<String, String> listedSums(FileSystem fs, Path dir) throws IOException {
    Path sumsFile = new Path(dir, SUMS);
    if (!fs.exists(sumsFile)) {
      throw new DytrainException(dir + " is not a complete checkpoint (no " + SUMS + ")");
    }
    Map<String, String> sums = new LinkedHashMap<>();
    for (String line : DatasetFileSystem.readString(fs, sumsFile).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (!line.matches("[0-9a-f]{64}  [^/]+")) {
        throw new DytrainException(sumsFile + " is corrupt: '" + line + "' is not a sha256 and a file name");
      }
      String name = line.substring(66);
      if (!fs.exists(new Path(dir, name))) {
        throw new DytrainException("checkpoint " + dir + " is incomplete: " + name + ", listed in " + SUMS + ", is missing");
      }
      sums.put(name, line.substring(0, 64));
    }
    return sums;
  }

  private void prune() throws IOException {
    List<Checkpoint> all = list();
    List<Checkpoint> kept = new ArrayList<>(all);
    for (int i = keepLast; i < all.size(); i++) {
      Checkpoint c = all.get(i);
      if ((keepEvery > 0 && c.step() % keepEvery == 0) || keepSteps.contains(c.step())) {
        continue;
      }
      discard(c.dir());
      kept.remove(c);
    }
    pruneRankOptimizers(kept);
  }

  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Streams a file through SHA-256 (no second read, no copy in memory) and returns its hex digest. */
  private String write(Path dir, String name, Body body) throws IOException {
    MessageDigest digest = Sha256.digest();
    try (OutputStream out = new BufferedOutputStream(
        new DigestOutputStream(fs.create(new Path(dir, name), true), digest), 1 << 20)) {
      body.write(out);
    }
    return Sha256.hex(digest);
  }

  private static Map<String, SafeTensors.Tensor> tensors(Map<String, NDArray> arrays) {
    Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
    arrays.forEach((name, a) -> out.put(name, new SafeTensors.Tensor(a.getShape().getShape(), a.toFloatArray())));
    return out;
  }
}
