package dytrain.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local disk with little room left: once its free bytes are written, a write fails as Hadoop's local
 * file system fails on a full disk, with an FSError around the IOException "No space left on device"
 * (measured on a full tmpfs, RELIABILITY.md). Every file system opened with one configuration from
 * {@link #on(Configuration, long)} shares the same free bytes, as writers to one disk do.
 */
public final class FullDisk extends RawLocalFileSystem {
  private static final String DISK = "dytrain.test.full-disk";
  private static final Map<String, AtomicLong> FREE = new ConcurrentHashMap<>();

  private AtomicLong free;

  /** {@code conf} with file: paths on a disk that has {@code freeBytes} left. */
  public static Configuration on(Configuration conf, long freeBytes) {
    String disk = UUID.randomUUID().toString();
    FREE.put(disk, new AtomicLong(freeBytes));
    Configuration c = new Configuration(conf);
    c.set("fs.file.impl", FullDisk.class.getName());
    c.setBoolean("fs.file.impl.disable.cache", true);
    c.set(DISK, disk);
    return c;
  }

  /** The bytes left on the disk of {@code conf}, made by {@link #on(Configuration, long)}. */
  public static long free(Configuration conf) {
    return FREE.get(conf.get(DISK)).get();
  }

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    free = FREE.get(conf.get(DISK));
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
    return new Filling(super.createOutputStreamWithMode(f, append, permission));
  }

  /** A file on this disk: its writes use up the free bytes; it flushes to readers as the local disk's files do. */
  private final class Filling extends FilterOutputStream implements StreamCapabilities, Syncable {
    Filling(OutputStream file) {
      super(file);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      long left = free.getAndUpdate(n -> Math.max(0, n - len));
      if (len > left) { // what fits is written, as on a real disk, and then it is full
        out.write(b, off, (int) left);
        throw noSpaceLeft();
      }
      out.write(b, off, len);
    }

    @Override
    public boolean hasCapability(String capability) {
      return out instanceof StreamCapabilities file && file.hasCapability(capability);
    }

    @Override
    public void hflush() throws IOException {
      ((Syncable) out).hflush();
    }

    @Override
    public void hsync() throws IOException {
      ((Syncable) out).hsync();
    }
  }
}
