package dytrain.cli;

import ai.djl.Device;
import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.export.ModelExport;
import dytrain.model.Llama;
import dytrain.train.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

/** The model a command's {@code --model} names: an export, or a checkpoint folder, verified by its SHA256SUMS. */
final class ModelFolder {
  private ModelFolder() {}

  static Llama read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DytrainException("--model " + dir + ": no such folder");
    }
    if (Files.isDirectory(dir.resolve("checkpoints")) && !Files.exists(dir.resolve(ModelExport.CONFIG))) {
      throw new DytrainException(dir + " is a run folder: give one of its checkpoints (" + dir
          + "/checkpoints/step-N) or an export of it");
    }
    if (Files.isRegularFile(dir.resolve(CheckpointStore.SUMS))) {
      org.apache.hadoop.fs.Path checkpoint = new org.apache.hadoop.fs.Path(dir.toAbsolutePath().toUri());
      CheckpointStore.verify(DatasetFileSystem.of(checkpoint, new Configuration()), checkpoint);
    }
    return ModelExport.read(dir, Device.cpu());
  }
}
