package dytrain.train;

import ai.djl.ndarray.NDArray;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.data.DatasetFileSystem;
import dytrain.export.SafeTensors;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** Tiny training runs on {@link TinyDataset}: configs, runs and what they leave behind. */
public final class TrainingFixture {
  private TrainingFixture() {}

  public static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  public static DytrainConfig config(Path dataset, String... overrides) {
    List<String> all = new ArrayList<>(List.of(
        "data.dataset=" + dataset, "train.seq_len=16", "train.micro_batch_size=4", "train.steps=12",
        "train.lr=0.003", "train.warmup_steps=2", "train.eval_every=4", "train.eval_batches=2",
        "train.checkpoint_every=4", "train.peak_flops=1e9"));
    all.addAll(Arrays.asList(overrides));
    return ConfigLoader.load(Path.of("../configs/tiny.yaml"), all);
  }

  public static TrainState train(DytrainConfig config, Path runDir, Trainer.Listener listener) throws Exception {
    return TrainingRun.run(config, runDir.toString(), RunStart.Resume.IF_PRESENT, Rank.SINGLE, listener, QUIET, new Configuration());
  }

  public static final Trainer.Listener SILENT = m -> {};

  /** The model tensors of the newest checkpoint of a run, verified. */
  public static Map<String, SafeTensors.Tensor> finalWeights(Path runDir) throws Exception {
    var store = new CheckpointStore(runDir.toString(), new Configuration(), 10, 0);
    var newest = store.newest().orElseThrow();
    var fs = DatasetFileSystem.of(newest.dir(), new Configuration());
    byte[] weights = CheckpointStore.readVerified(fs, newest.dir()).get("model.safetensors");
    return SafeTensors.read(new ByteArrayInputStream(weights), "checkpoint");
  }

  public static List<String> lossColumn(Path runDir) throws Exception {
    List<String> out = new ArrayList<>();
    for (StepMetrics m : steps(runDir)) {
      out.add(m.step() + ":" + m.loss());
    }
    return out;
  }

  /** The rows of a run's metrics.csv, read as the driver and the loss plot read them. */
  public static List<StepMetrics> steps(Path runDir) throws Exception {
    var file = new org.apache.hadoop.fs.Path(runDir.resolve(MetricsLog.TRAIN_FILE).toUri());
    return MetricsCsv.readSteps(DatasetFileSystem.of(file, new Configuration()), file);
  }

  public static float[] flat(NDArray a) {
    return a.toFloatArray();
  }
}
