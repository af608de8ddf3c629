package dytrain.spark;

import dytrain.config.DytrainException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Spark's {@code local-cluster[N,cores,mem]} mode on one machine: real executor JVMs, started by in-process
 * workers from {@code $SPARK_HOME/jars}. dytrain fills that folder with links to its own classpath, so no
 * Spark distribution is needed; the {@code ./dytrain} launcher and the test build set SPARK_HOME.
 */
final class LocalCluster {
  private LocalCluster() {}

  static String master(int ranks, int memoryMb) {
    return "local-cluster[" + ranks + ",1," + memoryMb + "]";
  }

  /** Links every jar of this JVM's classpath into $SPARK_HOME/jars; returns the classpath for executors. */
  static String prepareSparkHome() {
    String home = System.getenv("SPARK_HOME");
    if (home == null || home.isBlank()) {
      throw new DytrainException("local-cluster mode needs SPARK_HOME (the ./dytrain launcher sets it to"
          + " cli/target/spark-home); run through ./dytrain or set it to an empty folder");
    }
    if (!"2.13".equals(System.getenv("SPARK_SCALA_VERSION"))) {
      throw new DytrainException("local-cluster mode needs SPARK_SCALA_VERSION=2.13 in the environment");
    }
    return linkClasspathInto(home);
  }

  static String linkClasspathInto(String home) {
    Path jars = Path.of(home, "jars");
    String classpath = System.getProperty("java.class.path");
    try {
      Files.createDirectories(jars);
      refuseSparkDistribution(home, jars);
      for (String entry : classpath.split(File.pathSeparator)) {
        Path source = Path.of(entry).toAbsolutePath();
        if (entry.endsWith(".jar") && Files.isRegularFile(source)) {
          Path link = jars.resolve(source.getFileName());
          if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, source);
          }
        }
      }
    } catch (IOException e) {
      throw new DytrainException("cannot prepare " + jars + " for local-cluster mode: " + e.getMessage(), e);
    }
    return classpath;
  }

  /** Links into a real Spark installation would mix dytrain's jars into it: a folder of links only. */
  private static void refuseSparkDistribution(String home, Path jars) throws IOException {
    boolean installed = Files.exists(Path.of(home, "bin", "spark-submit")) || Files.exists(Path.of(home, "RELEASE"));
    try (var files = Files.list(jars)) {
      if (installed || files.anyMatch(f -> f.getFileName().toString().startsWith("spark-core") && !Files.isSymbolicLink(f))) {
        throw new DytrainException("SPARK_HOME=" + home + " is a Spark installation; local-cluster mode fills"
            + " SPARK_HOME/jars with links to dytrain's classpath, so it needs a folder of its own: run through"
            + " ./dytrain (which uses cli/target/spark-home) or set SPARK_HOME to an empty folder");
      }
    }
  }
}
