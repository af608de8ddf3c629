package dytrain.export;

import ai.djl.Device;
import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.model.Llama;
import dytrain.train.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** The model a command's {@code --model} names: an export, or a checkpoint folder, verified by its sums. */
public final class ModelFolder {
  private ModelFolder() {}

  public static Llama read(Path dir) throws IOException {
    return read(dir, null);
  }

  /** The same, the model computing in {@code dtype} (null: the dtype it was trained in). */
  public static Llama read(Path dir, String dtype) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DytrainException("--model " + dir + ": no such folder");
    }
    if (isRunFolder(dir)) {
      throw new DytrainException(dir + " is a run folder: give one of its checkpoints ("
          + CheckpointStore.checkpointPattern(dir.toString()) + ") or an export of it");
    }
    org.apache.hadoop.fs.Path folder = hadoopPath(dir);
    FileSystem fs = DatasetFileSystem.of(folder, new Configuration());
    if (CheckpointStore.isCheckpoint(fs, folder)) {
      CheckpointStore.verify(fs, folder);
    }
    return ModelExport.read(dir, Device.cpu(), dtype);
  }

  /** Whether {@code dir} is a run folder (it holds checkpoints) rather than a model: an export or a checkpoint. */
  public static boolean isRunFolder(Path dir) throws IOException {
    org.apache.hadoop.fs.Path folder = hadoopPath(dir);
    return CheckpointStore.isRunFolder(DatasetFileSystem.of(folder, new Configuration()), folder)
        && !Files.exists(dir.resolve(ModelExport.CONFIG));
  }

  private static org.apache.hadoop.fs.Path hadoopPath(Path dir) {
    return new org.apache.hadoop.fs.Path(dir.toAbsolutePath().toUri());
  }
}
