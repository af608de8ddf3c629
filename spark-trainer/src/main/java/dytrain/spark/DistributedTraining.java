package dytrain.spark;

import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.DataConfig;
import dytrain.config.DytrainException;
import dytrain.config.UserErrors;
import dytrain.data.DatasetFileSystem;
import dytrain.data.SerializableConfiguration;
import dytrain.train.CheckpointStore;
import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.StepMetrics;
import dytrain.train.Trainer;
import dytrain.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The driver of a data-parallel run: checks the cluster, launches one barrier stage with a task per
 * rank, follows rank 0's metrics for progress, and, when the stage fails (a rank died, a peer timed out),
 * relaunches it; every launch resumes from the newest complete checkpoint. Spark does not retry a failed
 * barrier stage that ends a job, so this loop is the recovery.
 */
public final class DistributedTraining {

  /** How a run ended: what each rank reported and the attempts it took. */
  public record Outcome(List<RankReport> ranks, int attempts) {}

  private DistributedTraining() {}

  public static Outcome run(SparkSession spark, DytrainConfig config, String runDir, Trainer.Listener listener,
      PrintStream log) throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // Ranks run in executors, whose working folder is not the user's: paths mean what they mean here.
    Configuration conf = sc.hadoopConfiguration();
    runDir = qualified(runDir, conf);
    if (config.data().dataset() != null) {
      var data = config.data();
      config = new DytrainConfig(config.model(), config.seed(),
          new DataConfig(qualified(data.dataset(), conf), data.trainSplit(), data.valSplit()),
          config.train(), config.distributed());
    }
    // a missing or mismatched dataset fails here, once, not in every rank of every attempt
    TrainingRun.requireRunFolder(runDir, conf);
    TrainingRun.openDataset(config, conf);
    int ranks = config.distributed().ranks();
    awaitExecutors(sc, ranks);
    Preflight.check(sc, ranks);
    String configYaml = ConfigLoader.YAML.writeValueAsString(config);
    int maxAttempts = config.distributed().maxAttempts();
    UserErrorListener userErrors = new UserErrorListener();
    sc.sc().addSparkListener(userErrors);
    try {
      return launch(sc, config, configYaml, runDir, listener, log, ranks, maxAttempts, userErrors);
    } finally {
      sc.sc().removeSparkListener(userErrors);
    }
  }

  private static Outcome launch(JavaSparkContext sc, DytrainConfig config, String configYaml, String runDir,
      Trainer.Listener listener, PrintStream log, int ranks, int maxAttempts, UserErrorListener userErrors) {
    for (int attempt = 1; ; attempt++) {
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret); // a new secret per launch: a stale rank cannot rejoin
      awaitExecutors(sc, ranks); // after a lost executor, its replacement registers first
      Configuration conf = sc.hadoopConfiguration();
      long resumeStep = newestStep(runDir, conf, log);
      trimMetrics(runDir, conf, resumeStep, log);
      log.printf("launching %d ranks (%s, attempt %d of %d)%s%n", ranks, config.distributed().sync(), attempt, maxAttempts,
          resumeStep > 0 ? " from the checkpoint at step " + resumeStep : "");
      try (MetricsFollower follower = new MetricsFollower(runDir, conf, listener, resumeStep, log)) {
        JavaRDD<Integer> rankIds = sc.parallelize(IntStream.range(0, ranks).boxed().toList(), ranks);
        var task = new RankTask(configYaml, runDir, secret, new SerializableConfiguration(conf),
            sc.getConf().getInt("spark.task.cpus", 1));
        ClassTag<RankReport> reportTag = ClassTag$.MODULE$.apply(RankReport.class);
        var stage = rankIds.rdd().barrier().mapPartitions(task, false, reportTag);
        List<RankReport> reports = new JavaRDD<>(stage, reportTag).collect();
        follower.drain();
        return new Outcome(reports, attempt);
      } catch (Exception e) { // Spark throws its checked SparkException without declaring it
        if (e instanceof DytrainException user) {
          throw user;
        }
        // a rank refused the run (bad data, a refused resume): relaunching would only repeat it
        var userError = awaitUserError(userErrors).map(message -> new DytrainException(message, e))
            .or(() -> UserErrors.in(e));
        if (userError.isPresent()) {
          throw userError.get();
        }
        String reason = rootMessage(e);
        if (attempt >= maxAttempts) {
          throw new DytrainException("the training job failed " + attempt + " times (distributed.max_attempts = "
              + maxAttempts + "); last error: " + reason, e);
        }
        log.printf("%nattempt %d failed: %s%nrelaunching from the newest checkpoint in %s%n", attempt, reason, runDir);
      }
    }
  }

  /**
   * The step of the newest complete checkpoint in the run folder, for display: 0 for none, or when the
   * folder cannot be read here (the ranks will say why, if it matters to them).
   */
  private static long newestStep(String runDir, Configuration conf, PrintStream log) {
    try {
      return new CheckpointStore(runDir, conf, Integer.MAX_VALUE, 0).newest().map(CheckpointStore.Checkpoint::step).orElse(0L);
    } catch (IOException e) {
      log.printf("cannot list the checkpoints in %s (%s); the progress shown may start at step 0%n", runDir, e.getMessage());
      return 0;
    }
  }

  /**
   * Drops the metrics rows an earlier attempt wrote past the checkpoint a launch resumes from, as rank 0
   * will once it starts: until then the console would show those rows as this attempt's progress.
   */
  private static void trimMetrics(String runDir, Configuration conf, long resumeStep, PrintStream log) {
    if (resumeStep == 0) return;
    try (MetricsLog metrics = new MetricsLog(runDir, conf)) {
      metrics.resumeAt(resumeStep);
      metrics.flush();
    } catch (IOException | RuntimeException e) { // only the console's view suffers: rank 0 trims them again
      log.printf("cannot trim the metrics past step %d in %s (%s); rank 0 will%n", resumeStep, runDir, e.getMessage());
    }
  }

  /** {@code path} made absolute on its file system (a bare relative path: the driver's working folder). */
  static String qualified(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).makeQualified(p).toString();
  }

  /** Executors register after the context starts; a barrier stage launched before they do cannot be scheduled. */
  private static void awaitExecutors(JavaSparkContext sc, int ranks) {
    if (sc.master().startsWith("local[") || sc.master().equals("local")) {
      return;
    }
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (Preflight.slots(sc) < ranks && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Task-end events reach listeners asynchronously, shortly after the job fails; wait for them briefly. */
  private static Optional<String> awaitUserError(UserErrorListener userErrors) {
    long deadline = System.nanoTime() + 2_000_000_000L;
    Optional<String> message = userErrors.take();
    while (message.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
      message = userErrors.take();
    }
    return message;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int cut = message.indexOf("\n");
    return (cut > 0 ? message.substring(0, cut) : message) + (t != e && t.getMessage() != null ? " (" + t.getMessage() + ")" : "");
  }

  /** Polls rank 0's metrics.csv on the driver and hands new rows to the listener (the progress bar). */
  static final class MetricsFollower implements AutoCloseable {
    private final Path steps;
    private final MetricsCsv.StepFollower newSteps;
    private final Path evals;
    private final FileSystem fs;
    private final Trainer.Listener listener;
    private final PrintStream log;
    private final Thread thread;
    private String lastProblem;
    private long nextStep;
    private long nextEval;
    private volatile boolean running = true;

    /** Follows from {@code fromStep} on: rows before it are an earlier attempt's, already shown. */
    MetricsFollower(String runDir, Configuration conf, Trainer.Listener listener, long fromStep, PrintStream log)
        throws IOException {
      this.steps = new Path(runDir, MetricsLog.TRAIN_FILE);
      this.evals = new Path(runDir, MetricsLog.EVAL_FILE);
      this.fs = DatasetFileSystem.of(steps, conf);
      this.newSteps = new MetricsCsv.StepFollower(fs, steps);
      this.listener = listener;
      this.log = log;
      this.nextStep = fromStep - 1;
      this.nextEval = fromStep;
      this.thread = new Thread(() -> {
        while (running) {
          poll();
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "metrics-follower");
      thread.setDaemon(true);
      thread.start();
    }

    synchronized void poll() {
      try {
        for (StepMetrics m : newSteps.read()) {
          if (m.step() > nextStep) {
            nextStep = m.step();
            listener.onStep(m);
          }
        }
        for (MetricsLog.Eval e : MetricsCsv.readEvals(fs, evals)) {
          if (e.step() > nextEval) {
            nextEval = e.step();
            listener.onEval(e.step(), e.loss());
          }
        }
        lastProblem = null;
      } catch (IOException | RuntimeException e) {
        // usually a file being replaced mid-read, which the next poll sees whole; a lasting problem is said once
        String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (problem.equals(lastProblem)) {
          log.printf("cannot follow the metrics in %s (%s); progress is not shown until it can%n", steps.getParent(), problem);
        }
        lastProblem = problem;
      }
    }

    void drain() {
      poll();
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
      try {
        thread.join(5000); // no poll of this attempt may land after the next attempt's follower starts
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
