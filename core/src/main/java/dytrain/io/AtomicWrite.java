package dytrain.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a file or a folder under a temporary name and renames it into place, on any Hadoop file system:
 * a reader, or a rerun after a crash, finds the old version or the whole new one, never half of it.
 * Object stores cannot append, so files that grow (metrics, manifests) are rewritten this way too.
 */
public final class AtomicWrite {
  private AtomicWrite() {}

  /** Writes the contents of a file or folder at the temporary path it is given. */
  public interface Contents {
    void writeTo(Path tmp) throws IOException;
  }

  /** The temporary sibling {@code .name.tmp} a file or folder is written under. */
  public static Path temporary(Path target) {
    Path parent = target.getParent() == null ? new Path(".") : target.getParent();
    return new Path(parent, "." + target.getName() + ".tmp");
  }

  /** Replaces {@code file} with {@code text} (UTF-8). */
  public static void file(FileSystem fs, Path file, String text) throws IOException {
    file(fs, file, tmp -> {
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    });
  }

  /** Replaces {@code file} with what {@code contents} writes at its temporary sibling. */
  public static void file(FileSystem fs, Path file, Contents contents) throws IOException {
    Path tmp = temporary(file);
    contents.writeTo(tmp);
    moveIntoPlace(fs, tmp, file);
  }

  /** Replaces the file {@code file} with {@code tmp}, a finished file written elsewhere (a shard written row by row). */
  public static void moveIntoPlace(FileSystem fs, Path tmp, Path file) throws IOException {
    fs.delete(file, false);
    rename(fs, tmp, file);
  }

  /** Replaces {@code folder} with the folder {@code contents} fills at its temporary sibling. */
  public static void folder(FileSystem fs, Path folder, Contents contents) throws IOException {
    folder(fs, folder, temporary(folder), contents);
  }

  /** As {@link #folder(FileSystem, Path, Contents)}, under a temporary name the caller chose (to find it again). */
  public static void folder(FileSystem fs, Path folder, Path tmp, Contents contents) throws IOException {
    fs.delete(tmp, true); // left by a write that died
    fs.mkdirs(tmp);
    contents.writeTo(tmp);
    fs.delete(folder, true);
    rename(fs, tmp, folder);
  }

  private static void rename(FileSystem fs, Path tmp, Path target) throws IOException {
    // a FileSystemException, whichever way the file system refuses: the commands print it as one line
    // naming both paths, not as a trace
    boolean renamed;
    try {
      renamed = fs.rename(tmp, target);
    } catch (IOException e) {
      throw (FileSystemException) new FileSystemException(tmp.toString(), target.toString(),
          "could not rename into place: " + e.getMessage()).initCause(e);
    }
    if (!renamed) {
      throw new FileSystemException(tmp.toString(), target.toString(), "could not rename into place");
    }
  }
}
