package dytrain.prep;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Expands {@code --input} arguments (files, folders, globs, any Hadoop URI) into a sorted, de-duplicated
 * file list. Sorting by full path gives every file a stable index whatever order the file system lists in.
 * Hidden files ({@code .name}, {@code _name}, as Hadoop and Spark write) inside folders are skipped.
 */
public final class InputListing {
  private InputListing() {}

  public static List<InputFile> list(List<String> inputs, Configuration conf) {
    TreeMap<String, FileStatus> files = new TreeMap<>();
    for (String input : inputs) {
      try {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
          throw new DytrainException(
              "--input " + input + (isGlob(input) ? " matches no files" : ": no such file or folder"));
        }
        int before = files.size();
        for (FileStatus match : matches) {
          if (match.isDirectory()) {
            addFolder(fs, match.getPath(), files);
          } else {
            files.put(match.getPath().toString(), match);
          }
        }
        if (files.size() == before && matches.length > 0 && matches[0].isDirectory()) {
          throw new DytrainException("--input " + input + ": the folder holds no files");
        }
      } catch (IOException e) {
        throw new DytrainException("--input " + input + ": cannot list: " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new DytrainException("--input " + input + ": not a valid path or URI: " + e.getMessage(), e);
      }
    }
    List<InputFile> out = new ArrayList<>();
    for (FileStatus f : files.values()) {
      out.add(new InputFile(out.size(), f.getPath().toString(), f.getLen(), InputFormat.of(f.getPath().getName())));
    }
    return out;
  }

  private static boolean isGlob(String input) {
    return input.contains("*") || input.contains("?") || input.contains("[") || input.contains("{");
  }

  /**
   * The files under {@code folder}, hidden ones and hidden folders' contents left out. A plain listStatus
   * walk rather than listFiles: listFiles returns LocatedFileStatus, whose constructor reads permissions,
   * and on the local file system Hadoop gets those by running {@code ls} once per file (16 ms a job for 8
   * files here; minutes for a folder of thousands). Other file systems keep listFiles: on an object store it
   * is one paged listing of the whole tree, where a walk would ask once per folder.
   */
  private static void addFolder(FileSystem fs, Path folder, TreeMap<String, FileStatus> files) throws IOException {
    if (!"file".equals(fs.getScheme())) { // object stores list a whole tree in one paged request
      var it = fs.listFiles(folder, true);
      while (it.hasNext()) {
        FileStatus f = it.next();
        if (!hidden(f.getPath(), folder)) files.put(f.getPath().toString(), f);
      }
      return;
    }
    for (FileStatus f : fs.listStatus(folder)) {
      if (hiddenName(f.getPath().getName())) continue;
      if (f.isDirectory()) {
        addFolder(fs, f.getPath(), files);
      } else {
        files.put(f.getPath().toString(), f);
      }
    }
  }

  private static boolean hidden(Path file, Path root) {
    for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
      if (hiddenName(p.getName())) return true;
    }
    return false;
  }

  /** Hadoop's and Spark's markers and side files: {@code .name}, {@code _SUCCESS}, {@code _temporary}. */
  private static boolean hiddenName(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }
}
