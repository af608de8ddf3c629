package dytrain.diagnose;

import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import dytrain.data.DatasetFileSystem;
import dytrain.export.ModelExport;
import dytrain.export.ModelFolder;
import dytrain.model.Llama;
import dytrain.train.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;

/**
 * The models a {@code --model} folder names for a diagnosis: the folder itself (an export or a checkpoint),
 * or every complete checkpoint of a run folder, oldest first, whose alphas and input stds over training
 * make the DyT paper's Figure 8. Each is read in fp32 whatever {@code model.dtype} it trained in, so the
 * statistics are of fp32 activations.
 */
public final class ModelSnapshots {

  /** A model folder and, for a checkpoint, its step. */
  private record Snapshot(Path dir, OptionalLong step) {}

  private final Path folder;
  private final List<Snapshot> snapshots;

  private ModelSnapshots(Path folder, List<Snapshot> snapshots) {
    this.folder = folder;
    this.snapshots = snapshots;
  }

  public static ModelSnapshots of(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DytrainException(dir + ": no such folder");
    }
    Configuration conf = new Configuration();
    List<Snapshot> snapshots = new ArrayList<>();
    if (ModelFolder.isRunFolder(dir)) {
      for (CheckpointStore.Checkpoint c : CheckpointStore.listIn(dir.toString(), conf)) {
        snapshots.add(0, new Snapshot(Path.of(c.dir().toUri()), OptionalLong.of(c.step())));
      }
      if (snapshots.isEmpty()) {
        throw new DytrainException(dir + " is a run folder without a complete checkpoint");
      }
    } else {
      var folder = new org.apache.hadoop.fs.Path(dir.toAbsolutePath().toUri());
      boolean checkpoint = CheckpointStore.isCheckpoint(DatasetFileSystem.of(folder, conf), folder);
      snapshots.add(new Snapshot(dir, checkpoint ? OptionalLong.of(CheckpointStore.readState(folder, conf).step())
          : OptionalLong.empty()));
    }
    return new ModelSnapshots(dir, snapshots);
  }

  /** The newest model's shape and norm type, as it was trained. */
  public ModelConfig config() throws IOException {
    return ModelExport.readConfig(newest());
  }

  /** Whether there is more than one model: a run folder with several checkpoints. */
  public boolean overTraining() {
    return snapshots.size() > 1;
  }

  /** The newest model's folder (the tokenizer it was trained with lies there). */
  public Path newest() {
    return snapshots.get(snapshots.size() - 1).dir();
  }

  /** Measures {@code layers} of every model on {@code sample}, reading one model at a time. */
  public Diagnosis diagnose(TokenSample sample, List<String> layers) throws IOException {
    List<Diagnosis.Snapshot> measured = new ArrayList<>();
    for (Snapshot s : snapshots) {
      try (Llama model = ModelFolder.read(s.dir(), "float32")) {
        measured.add(new Diagnosis.Snapshot(s.step(), NormDiagnosis.of(model, sample, layers)));
      }
    }
    return new Diagnosis(folder, config(), sample.tokens(), measured);
  }
}
