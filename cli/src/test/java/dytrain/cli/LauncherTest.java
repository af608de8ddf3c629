package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** The ./dytrain launcher refuses a Java other than 17 before building or running anything. */
class LauncherTest {
  @ParameterizedTest
  @CsvSource({"21.0.1, 21", "1.8.0_392, 8", "11.0.22, 11"})
  void anotherJavaIsNamedAndRefused(String version, String major, @TempDir Path home) throws Exception {
    Path java = home.resolve("bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2024-01-16' >&2\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = new ProcessBuilder("bash", Path.of("../dytrain").toAbsolutePath().normalize().toString(), "info",
        "--config", "configs/tiny.yaml").redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", home.toString());
    Process p = pb.start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("needs Java 17, found Java " + major + " "), out);
  }
}
