package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.export.ModelExport;
import dytrain.io.AtomicWrite;
import dytrain.train.CheckpointStore;
import dytrain.train.DatasetTokenizer;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", description = "Write a checkpoint's model as model.safetensors + config.json (+ its tokenizer).")
final class ExportCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "a checkpoint folder (runs/X/checkpoints/step-N), or a run folder for its newest") String checkpoint;
  @Option(names = "--out", required = true, paramLabel = "DIR") String out;

  @Override
  public Integer call() throws Exception {
    Path dir = export(checkpoint, out);
    System.out.printf("exported %s to %s%n", dir, out);
    return 0;
  }

  /** Copies a checkpoint's model, config and tokenizer (verified) into {@code out}; returns the checkpoint used. */
  static Path export(String checkpoint, String out) throws java.io.IOException {
    Configuration conf = new Configuration();
    Path target = new Path(out);
    FileSystem fs = DatasetFileSystem.of(target, conf);
    refuseToReplaceOtherThanAnExport(fs, target);
    Path dir = resolve(new Path(checkpoint), conf);
    Map<String, byte[]> files = CheckpointStore.readVerified(DatasetFileSystem.of(dir, conf), dir);
    AtomicWrite.folder(fs, target, tmp -> {
      for (String name : EXPORT_FILES) {
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
  private static void refuseToReplaceOtherThanAnExport(FileSystem fs, Path target) throws java.io.IOException {
    if (!fs.exists(target)) return;
    if (!fs.getFileStatus(target).isDirectory()) {
      throw new DytrainException("--out " + target + " is a file; export writes a folder");
    }
    FileStatus[] entries = fs.listStatus(target);
    for (FileStatus entry : entries) {
      if (!EXPORT_FILES.contains(entry.getPath().getName())) {
        throw new DytrainException("--out " + target + " holds " + entry.getPath().getName()
            + ", which is not part of an export; export replaces only an earlier export: give a new or empty folder");
      }
    }
    if (entries.length > 0 && !fs.exists(new Path(target, ModelExport.CONFIG)) && !fs.exists(new Path(target, ModelExport.WEIGHTS))) {
      throw new DytrainException("--out " + target + " holds a tokenizer but no model: it is not an earlier export;"
          + " give a new or empty folder");
    }
  }

  private static final List<String> EXPORT_FILES =
      List.of(ModelExport.WEIGHTS, ModelExport.CONFIG, DatasetTokenizer.FILE, DatasetTokenizer.NAME_FILE);

  /** A checkpoint folder as given, or the newest checkpoint of a run folder. */
  static Path resolve(Path given, Configuration conf) throws java.io.IOException {
    FileSystem fs = DatasetFileSystem.of(given, conf);
    if (fs.exists(new Path(given, CheckpointStore.SUMS))) {
      return given;
    }
    var store = new CheckpointStore(given.toString(), conf, Integer.MAX_VALUE, 0);
    return store.newest().orElseThrow(() -> new DytrainException(
        "--checkpoint " + given + " is neither a checkpoint folder nor a run folder with checkpoints")).dir();
  }
}
