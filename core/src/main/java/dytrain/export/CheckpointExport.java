package dytrain.export;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.io.AtomicWrite;
import dytrain.train.CheckpointStore;
import dytrain.train.DatasetTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An export of a checkpoint: its model.safetensors, config.json and tokenizer, checked against the
 * checkpoint's sums, in a folder of their own that loads without dytrain's training state. The folder is
 * replaced whole, and only when it is new, empty or an earlier export.
 */
public final class CheckpointExport {
  private CheckpointExport() {}

  private static final List<String> FILES =
      List.of(ModelExport.WEIGHTS, ModelExport.CONFIG, DatasetTokenizer.FILE, DatasetTokenizer.NAME_FILE);

  /**
   * Exports a checkpoint folder, or the newest checkpoint of a run folder, into {@code out}; returns the
   * checkpoint used.
   */
  public static Path export(String checkpointOrRunDir, String out, Configuration conf) throws IOException {
    Path target = new Path(out);
    FileSystem fs = DatasetFileSystem.of(target, conf);
    refuseToReplaceOtherThanAnExport(fs, target);
    Path dir = resolve(new Path(checkpointOrRunDir), conf);
    Map<String, byte[]> files = CheckpointStore.readVerified(DatasetFileSystem.of(dir, conf), dir);
    AtomicWrite.folder(fs, target, tmp -> {
      for (String name : FILES) {
        if (files.containsKey(name)) {
          try (OutputStream o = fs.create(new Path(tmp, name), true)) {
            o.write(files.get(name));
          }
        }
      }
    });
    return dir;
  }

  /** An export replaces an earlier export or an empty folder: never a run, a dataset or anyone's files. */
  private static void refuseToReplaceOtherThanAnExport(FileSystem fs, Path target) throws IOException {
    if (!fs.exists(target)) return;
    if (!fs.getFileStatus(target).isDirectory()) {
      throw new DytrainException("--out " + target + " is a file; export writes a folder");
    }
    FileStatus[] entries = fs.listStatus(target);
    for (FileStatus entry : entries) {
      if (!FILES.contains(entry.getPath().getName())) {
        throw new DytrainException("--out " + target + " holds " + entry.getPath().getName()
            + ", which is not part of an export; export replaces only an earlier export: give a new or empty folder");
      }
    }
    if (entries.length > 0 && !fs.exists(new Path(target, ModelExport.CONFIG)) && !fs.exists(new Path(target, ModelExport.WEIGHTS))) {
      throw new DytrainException("--out " + target + " holds a tokenizer but no model: it is not an earlier export;"
          + " give a new or empty folder");
    }
  }

  /** A checkpoint folder as given, or the newest checkpoint of a run folder. */
  private static Path resolve(Path given, Configuration conf) throws IOException {
    if (CheckpointStore.isCheckpoint(DatasetFileSystem.of(given, conf), given)) {
      return given;
    }
    return CheckpointStore.newestIn(given.toString(), conf).orElseThrow(() -> new DytrainException(
        "--checkpoint " + given + " is neither a checkpoint folder nor a run folder with checkpoints")).dir();
  }
}
