package dytrain.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local disk with only {@value #FREE_BYTES} bytes free: past them a write fails as Hadoop's local file
 * system fails on a full disk, with an FSError around the IOException "No space left on device" (measured
 * on a full tmpfs, RELIABILITY.md). Installed for file: paths by {@link #on(Configuration, long)}.
 */
public final class FullDisk extends RawLocalFileSystem {
  /** A configuration key: how many bytes this file system instance lets its writers write in all. */
  public static final String FREE_BYTES = "dytrain.test.full-disk.free-bytes";

  private long free;

  /** {@code conf} with file: paths on a disk that has {@code freeBytes} left (each file system opened anew). */
  public static Configuration on(Configuration conf, long freeBytes) {
    Configuration c = new Configuration(conf);
    c.set("fs.file.impl", FullDisk.class.getName());
    c.setBoolean("fs.file.impl.disable.cache", true);
    c.setLong(FREE_BYTES, freeBytes);
    return c;
  }

  @Override
  public void initialize(java.net.URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    free = conf.getLong(FREE_BYTES, Long.MAX_VALUE);
  }

  /** Hadoop's FSError as its local file system throws it on ENOSPC (the constructor is package-private). */
  private static FSError noSpaceLeft() {
    try {
      var error = FSError.class.getDeclaredConstructor(Throwable.class);
      error.setAccessible(true);
      return error.newInstance(new IOException("No space left on device"));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission) throws IOException {
    return new FilterOutputStream(super.createOutputStreamWithMode(f, append, permission)) {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (len > free) {
          throw noSpaceLeft();
        }
        free -= len;
        out.write(b, off, len);
      }
    };
  }
}
