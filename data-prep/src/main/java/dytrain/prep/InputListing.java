package dytrain.prep;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

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
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(match.getPath(), true);
            while (it.hasNext()) {
              LocatedFileStatus f = it.next();
              if (!hidden(f.getPath(), match.getPath())) files.put(f.getPath().toString(), f);
            }
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

  private static boolean hidden(Path file, Path root) {
    for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
      if (p.getName().startsWith(".") || p.getName().startsWith("_")) return true;
    }
    return false;
  }
}
