package dytrain.spark;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.data.SerializableConfiguration;
import dytrain.model.ModelSize;
import dytrain.sweep.CooldownPlan;
import dytrain.sweep.DatasetIdentity;
import dytrain.sweep.ResultRow;
import dytrain.sweep.ResultsTable;
import dytrain.sweep.SweepExpansion;
import dytrain.sweep.SweepSpec;
import dytrain.sweep.Trial;
import dytrain.train.CheckpointStore;
import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.PeakFlops;
import dytrain.train.Rank;
import dytrain.train.RunStart;
import dytrain.train.RunSummary;
import dytrain.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The "run a sweep" service. A trial's work is split into units: its WSD trunk (to the largest budget,
 * checkpointed at every other budget's branch point, {@link CooldownPlan#forkSteps}) and, once the trunk
 * is done, one cooldown branch per smaller budget, resumed from a copy of its branch-point checkpoint in a
 * folder of its own. A single-rank unit is one Spark task, so as many train at once as there are slots; a
 * sweep of {@code ranks: N} trains its units one after another as data-parallel jobs.
 *
 * <p>Every finished (trial, budget) rewrites the results table; a rerun skips the rows that are done and
 * resumes the rest from their checkpoints (a unit is an ordinary run folder), so killing the driver loses
 * only the steps since each unit's last checkpoint. A unit that throws is launched again up to the
 * sweep's max_attempts, then recorded as failed with its error.
 */
public final class SweepRunner {

  /**
   * @param master a Spark master; null for local[slots]
   * @param slots units trained at once; null: the master's default parallelism
   * @param firstTrials only the sweep's first so many trials (a benchmark's sample); null: all
   */
  public record Request(java.nio.file.Path sweepFile, String sweepDir, String master, Integer slots, Integer firstTrials) {
    public Request(java.nio.file.Path sweepFile, String sweepDir, String master, Integer slots) {
      this(sweepFile, sweepDir, master, slots, null);
    }
  }

  /** The console's view: trials (not units) done, training now, failed, and waiting; and the time left. */
  public record Counts(int done, int running, int failed, int left, double etaSeconds) {}

  public interface Progress {
    void update(Counts counts, String event);

    Progress SILENT = (c, e) -> {};
  }

  /**
   * @param unitsTrained units launched and finished in this run (0 when a rerun found everything done)
   * @param stepsTrained optimizer steps this run trained, over all units
   */
  public record Summary(List<ResultRow> rows, int unitsTrained, long stepsTrained, int failedTrials, double seconds) {}

  /** One run folder's worth of a trial: its trunk (or its whole run, without budgets) or one branch. */
  record Unit(Trial trial, CooldownPlan.Branch branch, boolean trunk, int steps, long tokens, String runDir) {
    /** The step this unit resumes its trunk's checkpoint from; 0 for a trunk. */
    int forkStep() {
      return trunk ? 0 : branch.branchStep();
    }

    String name() {
      return "trial " + trial.index() + " (" + trial.id() + ") " + (trunk ? "" : "cooldown ") + "to " + String.format("%,d", tokens) + " tokens";
    }
  }

  /** What a task sends back: the error that stopped it (null when it finished) and the steps it trained. */
  record Outcome(String error, long fromStep, long toStep, double seconds) implements Serializable {}

  /** What a task needs to train one unit. */
  record UnitTask(String configYaml, String runDir, SerializableConfiguration conf) implements Serializable {}

  private final Request request;
  private final Progress progress;
  private final PrintStream log;
  private final Configuration conf;
  private final String sweepDir;
  private final SweepSpec spec;
  private final List<Trial> trials;
  private final Map<String, ResultRow> rows = new LinkedHashMap<>();
  private final List<ResultRow> foreignRows = new ArrayList<>();
  private final Map<String, Integer> launches = new HashMap<>();
  /** The units being trained now, by key: what the console counts as running. */
  private final Map<String, Unit> running = new LinkedHashMap<>();
  private final Map<String, Double> unitSeconds = new HashMap<>();
  private final Map<String, Double> peakFlops = new HashMap<>(); // per model.dtype
  private SparkSession spark;
  private long started;
  private double costDone;
  private double costLeft;

  private SweepRunner(Request request, Progress progress, PrintStream log) throws IOException {
    this.request = request;
    this.progress = progress;
    this.log = log;
    this.conf = new Configuration();
    if (request.slots() != null && request.slots() < 1) {
      throw new DytrainException("--slots " + request.slots() + " must be at least 1");
    }
    this.spec = SweepSpec.read(request.sweepFile());
    List<Trial> all = SweepExpansion.expand(spec, request.sweepFile().toString(), DatasetIdentity.manifests(conf));
    this.trials = request.firstTrials() == null ? all : all.subList(0, Math.min(all.size(), request.firstTrials()));
    this.sweepDir = DistributedTraining.qualified(request.sweepDir(), conf);
  }

  /** Trains what the sweep folder does not hold yet and returns the whole table. */
  public static Summary run(Request request, Progress progress, PrintStream log) throws IOException {
    return new SweepRunner(request, progress, log).run();
  }

  /** The trials of a sweep file, as the runner expands them (for a dry listing). */
  public static List<Trial> trials(java.nio.file.Path sweepFile) {
    return SweepExpansion.expand(sweepFile, DatasetIdentity.manifests(new Configuration()));
  }

  private Summary run() throws IOException {
    started = System.nanoTime();
    readTable();
    Deque<Unit> ready = new ArrayDeque<>();
    for (Trial t : trials) {
      if (!done(t, budgets(t).get(budgets(t).size() - 1))) {
        ready.add(trunk(t));
        costLeft += cost(trunk(t));
      } else {
        ready.addAll(pendingBranches(t));
      }
      pendingBranches(t).forEach(b -> costLeft += cost(b)); // queued once the trunk is done
    }
    long unfinished = trials.stream().filter(t -> !budgets(t).stream().allMatch(b -> done(t, b))).count();
    log.printf("sweep %s: %d trials, %d budget(s) each; %d trial(s) to train into %s%n", request.sweepFile(),
        trials.size(), spec.budgets().isEmpty() ? 1 : spec.budgets().size(), unfinished, sweepDir);
    if (ready.isEmpty()) {
      report("nothing left to train");
      return new Summary(table(), 0, 0, failedTrials(), seconds());
    }
    String master = request.master() != null ? request.master()
        : "local[" + (request.slots() != null ? request.slots() : Runtime.getRuntime().availableProcessors()) + "]";
    SparkSession spark = TrainingSession.start(master, spec.ranks(), 0);
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      int slots = request.slots() != null ? request.slots() : sc.defaultParallelism();
      if (spec.ranks() > 1 && slots < spec.ranks()) {
        throw new DytrainException(request.sweepFile() + ": ranks = " + spec.ranks() + " needs at least " + spec.ranks()
            + " slots; --slots / --master give " + slots);
      }
      this.spark = spark;
      return train(sc, ready, spec.ranks() > 1 ? 1 : slots);
    } finally {
      spark.stop();
    }
  }

  private Summary train(JavaSparkContext sc, Deque<Unit> ready, int parallel) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "sweep-unit");
      t.setDaemon(true);
      return t;
    });
    CompletionService<Map.Entry<Unit, Outcome>> finished = new ExecutorCompletionService<>(pool);
    int unitsTrained = 0;
    long steps = 0;
    try {
      while (!ready.isEmpty() || !running.isEmpty()) {
        while (!ready.isEmpty() && running.size() < parallel) {
          Unit u = ready.poll();
          String launch = launch(u, sc, finished);
          if (launch != null) { // the unit could not even start (its branch point is missing)
            ready.addFirst(u);
            record(ready, u, new Outcome(launch, 0, 0, 0));
            continue;
          }
          running.put(key(u), u);
          report("started " + u.name() + attempt(u));
        }
        if (running.isEmpty()) continue;
        Map.Entry<Unit, Outcome> end;
        try {
          end = finished.take().get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for a unit", e);
        } catch (ExecutionException e) {
          throw new IllegalStateException("a unit's driver thread failed", e.getCause());
        }
        Unit u = end.getKey();
        running.remove(key(u));
        steps += Math.max(0, end.getValue().toStep() - end.getValue().fromStep());
        if (end.getValue().error() == null) unitsTrained++;
        record(ready, u, end.getValue());
      }
    } finally {
      pool.shutdownNow();
    }
    return new Summary(table(), unitsTrained, steps, failedTrials(), seconds());
  }

  /** Submits one unit; returns why it cannot start, or null. */
  private String launch(Unit u, JavaSparkContext sc, CompletionService<Map.Entry<Unit, Outcome>> finished) throws IOException {
    launches.merge(key(u), 1, Integer::sum);
    if (!u.trunk()) {
      String missing = copyBranchPoint(u);
      if (missing != null) return missing;
    }
    DytrainConfig config = unitConfig(u);
    String yaml = ConfigLoader.YAML.writeValueAsString(config);
    SerializableConfiguration shipped = new SerializableConfiguration(sc.hadoopConfiguration());
    finished.submit(() -> {
      Outcome o;
      if (spec.ranks() > 1) {
        o = distributed(sc, config, u.runDir());
      } else {
        List<Outcome> out = sc.parallelize(List.of(new UnitTask(yaml, u.runDir(), shipped)), 1)
            .map(SweepRunner::trainUnit).collect();
        o = out.get(0);
      }
      return Map.entry(u, o);
    });
    return null;
  }

  /** A data-parallel unit, on the driver's session; Spark relaunches it as distributed.max_attempts says. */
  private Outcome distributed(JavaSparkContext sc, DytrainConfig config, String runDir) {
    long start = System.nanoTime();
    long from = newestStep(runDir, sc.hadoopConfiguration());
    try {
      var outcome = DistributedTraining.run(spark, config, runDir, m -> {}, log);
      long to = outcome.ranks().isEmpty() ? from : outcome.ranks().get(0).steps();
      return new Outcome(null, from, to, (System.nanoTime() - start) / 1e9);
    } catch (Exception e) {
      return new Outcome(message(e), from, from, (System.nanoTime() - start) / 1e9);
    }
  }

  /** Trains one single-rank unit in a Spark task; an exception becomes the outcome's error, not a task failure. */
  static Outcome trainUnit(UnitTask task) {
    long start = System.nanoTime();
    Configuration conf = task.conf().get();
    long from = newestStep(task.runDir(), conf);
    // one libtorch thread per task: the slots are the cores (see TrainingSession for local masters)
    Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(1);
    try {
      DytrainConfig config = ConfigLoader.bind(ConfigLoader.YAML.readTree(task.configYaml()), DytrainConfig.class, "sweep unit");
      Path logFile = new Path(task.runDir(), "train.log");
      FileSystem fs = DatasetFileSystem.of(logFile, conf);
      try (PrintStream out = new PrintStream(fs.create(logFile, true), true, StandardCharsets.UTF_8)) {
        var end = TrainingRun.run(config, task.runDir(), RunStart.Resume.IF_PRESENT, Rank.SINGLE, m -> {}, out, conf);
        return new Outcome(null, from, end.step(), (System.nanoTime() - start) / 1e9);
      }
    } catch (Exception e) {
      return new Outcome(message(e), from, newestStep(task.runDir(), conf), (System.nanoTime() - start) / 1e9);
    }
  }

  /** Handles a unit's end: its rows on success, a relaunch or failed rows on error; rewrites the table. */
  private void record(Deque<Unit> ready, Unit u, Outcome o) throws IOException {
    unitSeconds.merge(key(u), o.seconds(), Double::sum);
    if (o.error() == null) {
      costLeft -= cost(u);
      costDone += cost(u);
      ResultRow row = doneRow(u);
      rows.put(rowKey(u.trial(), u.tokens()), row);
      if (u.trunk()) { // first in the queue: a trial's rows complete before the next trial starts
        List<Unit> branches = pendingBranches(u.trial());
        for (int i = branches.size() - 1; i >= 0; i--) ready.addFirst(branches.get(i));
      }
      writeTable();
      report(String.format("finished %s: validation loss %.4f (%.0f s)", u.name(), row.loss(), o.seconds()));
      return;
    }
    int launched = launches.getOrDefault(key(u), 0);
    if (launched < u.trial().maxAttempts()) {
      ready.remove(u);
      ready.addLast(u);
      report("attempt " + launched + " of " + u.name() + " failed: " + o.error() + "; launching it again");
      return;
    }
    ready.remove(u);
    costLeft -= cost(u);
    String error = "failed after " + launched + " attempt(s): " + o.error();
    if (u.trunk()) { // its branches start from its checkpoints: they fail with it
      pendingBranches(u.trial()).forEach(b -> costLeft -= cost(b));
      for (long tokens : budgets(u.trial())) {
        if (!done(u.trial(), tokens)) rows.put(rowKey(u.trial(), tokens), failedRow(u, tokens, error));
      }
    } else {
      rows.put(rowKey(u.trial(), u.tokens()), failedRow(u, u.tokens(), error));
    }
    writeTable();
    report("FAILED " + u.name() + ": " + error);
  }

  private ResultRow doneRow(Unit u) throws IOException {
    Double last = null;
    double best = Double.POSITIVE_INFINITY;
    for (MetricsLog.Eval e : evals(u)) {
      best = Math.min(best, e.loss());
      if (e.step() == u.steps()) last = e.loss();
    }
    if (last == null) {
      throw new DytrainException(u.runDir() + " has no validation loss at its last step " + u.steps()
          + ": a sweep needs a dataset with a validation split (data.val_split)");
    }
    double train = RunSummary.of(u.runDir(), conf).trainLoss();
    return ResultRow.done(u.trial(), u.tokens(), last, best, train, unitSeconds.getOrDefault(key(u), 0.0));
  }

  private ResultRow failedRow(Unit u, long tokens, String error) throws IOException {
    Double best = null;
    for (MetricsLog.Eval e : evals(u)) best = best == null ? e.loss() : Math.min(best, e.loss());
    return ResultRow.failed(u.trial(), tokens, error, best, unitSeconds.getOrDefault(key(u), 0.0));
  }

  /** The validation losses on the way to a unit's budget: a branch's own and its trunk's up to the branch point. */
  private List<MetricsLog.Eval> evals(Unit u) throws IOException {
    List<MetricsLog.Eval> out = new ArrayList<>();
    if (!u.trunk()) {
      evalsIn(u.trial().runDir(sweepDir)).stream().filter(e -> e.step() <= u.forkStep()).forEach(out::add);
    }
    evalsIn(u.runDir()).stream().filter(e -> e.step() > u.forkStep()).forEach(out::add);
    return out;
  }

  private List<MetricsLog.Eval> evalsIn(String runDir) throws IOException {
    Path file = new Path(runDir, MetricsLog.EVAL_FILE);
    return MetricsCsv.readEvals(DatasetFileSystem.of(file, conf), file);
  }

  /**
   * Gives a branch folder its starting point: a copy of the trunk's checkpoint at the branch step, copied
   * under a temporary name and renamed, so the branch resumes from it. A branch that has checkpoints of its
   * own resumes from those. Returns why the branch cannot start, or null.
   */
  private String copyBranchPoint(Unit u) throws IOException {
    if (new CheckpointStore(u.runDir(), conf, Integer.MAX_VALUE, 0).newest().isPresent()) return null;
    var trunk = new CheckpointStore(u.trial().runDir(sweepDir), conf, Integer.MAX_VALUE, 0);
    var point = trunk.list().stream().filter(c -> c.step() == u.forkStep()).findFirst();
    if (point.isEmpty()) {
      return "the trunk's checkpoint at step " + u.forkStep() + " is missing from " + trunk.root()
          + " (train.checkpoint_at keeps it); delete the trial's folder to train it again";
    }
    Path target = new Path(new Path(u.runDir(), "checkpoints"), point.get().dir().getName());
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".copy");
    FileSystem fs = DatasetFileSystem.of(target, conf);
    fs.delete(tmp, true);
    fs.mkdirs(target.getParent());
    if (!FileUtil.copy(fs, point.get().dir(), fs, tmp, false, conf) || !fs.rename(tmp, target)) {
      throw new IOException("could not copy " + point.get().dir() + " to " + target);
    }
    return null;
  }

  /** A unit's config: the trial's, to the unit's steps, with the trunk's branch points kept. */
  private DytrainConfig unitConfig(Unit u) throws IOException {
    ObjectNode tree = ConfigLoader.YAML.valueToTree(u.trial().config());
    String where = "sweep " + u.name();
    ConfigLoader.set(tree, "train.steps", IntNode.valueOf(u.steps()), where);
    ArrayNode at = ConfigLoader.YAML.createArrayNode();
    if (u.trunk() && u.trial().plan() != null) u.trial().plan().forkSteps().forEach(at::add);
    ConfigLoader.set(tree, "train.checkpoint_at", at, where);
    if (u.trial().config().train().peakFlops() == null) {
      // once per dtype, not in every unit at once
      double peak = peakFlops.computeIfAbsent(u.trial().config().model().dtype(), PeakFlops::measure);
      ConfigLoader.set(tree, "train.peak_flops", DoubleNode.valueOf(peak), where);
    }
    String dataset = u.trial().config().data().dataset();
    if (dataset != null) { // a task's working folder need not be ours
      ConfigLoader.set(tree, "data.dataset", TextNode.valueOf(DistributedTraining.qualified(dataset, conf)), where);
    }
    return ConfigLoader.bind(tree, DytrainConfig.class, where);
  }

  private Unit trunk(Trial t) {
    List<Long> budgets = budgets(t);
    long tokens = budgets.get(budgets.size() - 1);
    return new Unit(t, t.plan() == null ? null : t.plan().branches().get(t.plan().branches().size() - 1), true,
        t.config().train().steps(), tokens, t.runDir(sweepDir));
  }

  /** The branches of a trial whose rows are not done (the largest budget is the trunk's own). */
  private List<Unit> pendingBranches(Trial t) {
    if (t.plan() == null) return List.of();
    List<CooldownPlan.Branch> all = t.plan().branches();
    List<Unit> out = new ArrayList<>();
    for (CooldownPlan.Branch b : all.subList(0, all.size() - 1)) {
      if (!done(t, b.tokens())) {
        out.add(new Unit(t, b, false, b.steps(), b.tokens(), t.runDir(sweepDir) + "/cooldown-" + b.tokens()));
      }
    }
    return out;
  }

  private static List<Long> budgets(Trial t) {
    return t.budgets();
  }

  private boolean done(Trial t, long tokens) {
    ResultRow r = rows.get(rowKey(t, tokens));
    return r != null && r.status() == ResultRow.Status.DONE;
  }

  /** The work of a unit for the ETA: training FLOPs of the steps it trains. */
  private static double cost(Unit u) {
    DytrainConfig c = u.trial().config();
    double perStep = ModelSize.of(c.model()).trainingFlopsPerToken(c.seqLen()) * c.globalBatchSequences() * c.seqLen();
    return perStep * (u.steps() - u.forkStep());
  }

  private void readTable() throws IOException {
    Path csv = new Path(sweepDir, ResultsTable.CSV_FILE);
    FileSystem fs = DatasetFileSystem.of(csv, conf);
    if (!fs.exists(csv)) return;
    Map<String, Trial> byId = new HashMap<>();
    trials.forEach(t -> byId.put(t.id(), t));
    for (ResultRow r : ResultsTable.readCsv(fs, csv)) {
      Trial t = byId.get(r.trial());
      if (t != null && budgets(t).contains(r.tokens())) {
        rows.put(rowKey(t, r.tokens()), r);
      } else {
        foreignRows.add(r); // a trial no longer in the sweep file: kept, not retrained
      }
    }
  }

  /** The table in expansion order, budgets ascending; rows of trials no longer in the sweep file last. */
  private List<ResultRow> table() {
    List<ResultRow> out = new ArrayList<>();
    for (Trial t : trials) {
      for (long tokens : budgets(t)) {
        ResultRow r = rows.get(rowKey(t, tokens));
        if (r != null) out.add(r);
      }
    }
    out.addAll(foreignRows);
    return out;
  }

  private void writeTable() throws IOException {
    ResultsTable.write(sweepDir, conf, table());
  }

  private int failedTrials() {
    return (int) trials.stream().filter(t -> budgets(t).stream()
        .anyMatch(b -> rows.containsKey(rowKey(t, b)) && rows.get(rowKey(t, b)).status() == ResultRow.Status.FAILED)).count();
  }

  private void report(String event) {
    Set<String> trainingNow = new HashSet<>();
    running.values().forEach(u -> trainingNow.add(u.trial().id()));
    int done = 0;
    int failed = 0;
    for (Trial t : trials) {
      List<Long> b = budgets(t);
      if (b.stream().allMatch(x -> done(t, x))) done++;
      else if (!trainingNow.contains(t.id()) && b.stream().anyMatch(x -> rows.containsKey(rowKey(t, x)) && !done(t, x))) failed++;
    }
    int left = trials.size() - done - failed - trainingNow.size();
    double elapsed = seconds();
    double eta = costDone > 0 ? elapsed * Math.max(0, costLeft) / costDone : Double.NaN;
    progress.update(new Counts(done, trainingNow.size(), failed, left, eta), event);
  }

  private String attempt(Unit u) {
    int n = launches.getOrDefault(key(u), 0);
    return n > 1 ? " (attempt " + n + " of " + u.trial().maxAttempts() + ")" : "";
  }

  private double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  private static String key(Unit u) {
    return u.trial().id() + "/" + u.tokens();
  }

  private static String rowKey(Trial t, long tokens) {
    return t.id() + "/" + tokens;
  }

  private static long newestStep(String runDir, Configuration conf) {
    try {
      return new CheckpointStore(runDir, conf, Integer.MAX_VALUE, 0).newest().map(CheckpointStore.Checkpoint::step).orElse(0L);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static String message(Throwable e) {
    String m = e instanceof DytrainException ? e.getMessage() : e.toString();
    return m == null ? e.getClass().getName() : m.lines().findFirst().orElse(m);
  }
}
