package dytrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** local-cluster mode links dytrain's jars into SPARK_HOME/jars: only ever into a folder of its own. */
class LocalClusterHomeTest {
  @TempDir Path home;

  @Test
  void linksTheClasspathIntoAnEmptyHome() throws Exception {
    LocalCluster.linkClasspathInto(home.toString());
    try (var links = Files.list(home.resolve("jars"))) {
      assertTrue(links.anyMatch(f -> f.getFileName().toString().startsWith("spark-core") && Files.isSymbolicLink(f)));
    }
    LocalCluster.linkClasspathInto(home.toString()); // its own links again: fine
  }

  @Test
  void refusesASparkInstallation() throws Exception {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.writeString(jars.resolve("spark-core_2.13-3.5.6.jar"), "a real jar");
    DytrainException e = assertThrows(DytrainException.class, () -> LocalCluster.linkClasspathInto(home.toString()));
    assertTrue(e.getMessage().contains("SPARK_HOME=" + home + " is a Spark installation"), e.getMessage());
    try (var files = Files.list(jars)) {
      assertEquals(1, files.count(), "nothing linked into it");
    }
  }
}
