package dytrain.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The Hadoop file system a dataset lives on, and reading a whole small file from it (writes that must
 * be crash-safe go through {@link dytrain.io.AtomicWrite}). On the local disk it uses the raw file system so no
 * {@code .crc} side files land in the dataset folder (Parquet pages carry their own checksums).
 */
public final class DatasetFileSystem {
  private DatasetFileSystem() {}

  public static FileSystem of(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    if (fs instanceof LocalFileSystem local) {
      NioPermissionsFileSystem raw = new NioPermissionsFileSystem();
      raw.initialize(local.getUri(), conf);
      return raw;
    }
    return fs;
  }

  /**
   * Hadoop's local file system without its native library runs a {@code chmod} process for every file
   * it creates; a prep task creates several per input. Setting the bits through java.nio forks nothing.
   */
  private static final class NioPermissionsFileSystem extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      Set<PosixFilePermission> bits = EnumSet.noneOf(PosixFilePermission.class);
      add(bits, permission.getUserAction(), PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
      add(bits, permission.getGroupAction(), PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE);
      add(bits, permission.getOtherAction(), PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(pathToFile(p).toPath(), bits);
    }

    private static void add(
        Set<PosixFilePermission> bits, FsAction action, PosixFilePermission r, PosixFilePermission w, PosixFilePermission x) {
      if (action.implies(FsAction.READ)) bits.add(r);
      if (action.implies(FsAction.WRITE)) bits.add(w);
      if (action.implies(FsAction.EXECUTE)) bits.add(x);
    }
  }

  public static String readString(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
