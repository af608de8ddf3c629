package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The driver of a YARN cluster-mode application runs main inside YARN's ApplicationMaster, which reports any
 * application whose main called System.exit as failed, even with code 0 (MiniYarnClusterModeTest found it).
 * There main must return on success and throw on failure. Were it to call System.exit here, this test JVM
 * would end and the suite with it.
 */
class YarnClusterDriverTest {

  @BeforeEach
  void asTheApplicationMasterSetsThem() {
    System.setProperty("spark.master", "yarn");
    System.setProperty("spark.submit.deployMode", "cluster");
  }

  @AfterEach
  void clear() {
    System.clearProperty("spark.master");
    System.clearProperty("spark.submit.deployMode");
  }

  @Test
  void aSucceedingCommandReturnsFromMain() {
    assertDoesNotThrow(() -> Dytrain.main(new String[] {"--version"}));
  }

  @Test
  void aFailingCommandThrowsFromMainNamingItsExitCode() {
    var e = assertThrows(IllegalStateException.class, () -> Dytrain.main(new String[] {"train", "--no-such-flag"}));
    assertTrue(e.getMessage().contains("exit code 2"), e.getMessage());
  }
}
