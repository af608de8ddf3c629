package dytrain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriteTest {

  @Test
  void aFileAppearsWholeUnderItsName(@TempDir Path dir) throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path file = dir.resolve("a.txt");
    AtomicWrite.file(fs, new org.apache.hadoop.fs.Path(file.toUri()), "hello\n");
    assertEquals("hello\n", Files.readString(file));
    try (var listing = Files.list(dir)) { // Hadoop's local file system adds a hidden .a.txt.crc
      assertEquals(1, listing.filter(p -> !p.getFileName().toString().startsWith(".")).count(),
          "no temporary file left beside it");
    }
  }

  @Test
  void aRenameThatFailsNamesBothPathsAsAFileSystemError(@TempDir Path dir) throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path blocker = Files.writeString(dir.resolve("blocker"), "a file, not a folder");
    Path tmp = Files.writeString(dir.resolve("x.tmp"), "x");
    var target = new org.apache.hadoop.fs.Path(blocker.toUri().toString() + "/x");
    FileSystemException e = assertThrows(FileSystemException.class,
        () -> AtomicWrite.moveIntoPlace(fs, new org.apache.hadoop.fs.Path(tmp.toUri()), target));
    assertTrue(e.getMessage().contains("x.tmp") && e.getMessage().contains("blocker/x"), e.getMessage());
    assertFalse(Files.isDirectory(blocker));
  }
}
