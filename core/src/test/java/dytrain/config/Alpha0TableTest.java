package dytrain.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.model.Alpha0Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Alpha0TableTest {

  static final Path TINY = Path.of("../configs/tiny.yaml");

  @Test
  void aTableNamedInAConfigGivesTheModelItsInterpolatedValues(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("alpha0.yaml");
    new Alpha0Table(List.of(new Alpha0Table.Row(32, 2.0, 8.0), new Alpha0Table.Row(128, 1.0, 2.0))).write(file);
    // width 64 is halfway between 32 and 128 in log2: the mean of the two rows
    DytrainConfig c = ConfigLoader.load(TINY, List.of("model.alpha0_table=" + file, "model.hidden_size=64"));
    assertEquals(1.5, c.model().alpha0Attention(), 1e-12);
    assertEquals(5.0, c.model().alpha0Other(), 1e-12);
    Alpha0Policy policy = Alpha0Policy.of(c.model());
    assertEquals(1.5, policy.attention(), 1e-12);
    assertEquals("table " + file, policy.source());
    // outside its range the table clamps, like the paper's policy
    assertEquals(2.0, ConfigLoader.load(TINY, List.of("model.alpha0_table=" + file, "model.hidden_size=16",
        "model.intermediate_size=32", "model.num_heads=2", "model.num_kv_heads=1")).model().alpha0Attention());
  }

  @Test
  void theResolvedConfigKeepsTheValuesWhenTheFileIsGone(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("alpha0.yaml");
    Files.writeString(file, "32: {attention: 0.7, other: 3.0}\n");
    DytrainConfig c = ConfigLoader.load(TINY, List.of("model.alpha0_table=" + file));
    String resolved = ConfigLoader.YAML.writeValueAsString(c);
    Files.delete(file);
    DytrainConfig again = ConfigLoader.bind(ConfigLoader.YAML.readTree(resolved), DytrainConfig.class, "resolved");
    assertEquals(0.7, again.model().alpha0Attention());
    assertEquals(3.0, again.model().alpha0Other());
  }

  @Test
  void explicitValuesWinOverTheTable(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("alpha0.yaml");
    Files.writeString(file, "32: {attention: 0.7, other: 3.0}\n");
    DytrainConfig c = ConfigLoader.load(TINY, List.of("model.alpha0_table=" + file, "model.alpha0_other=0.25"));
    assertEquals(0.7, c.model().alpha0Attention());
    assertEquals(0.25, c.model().alpha0Other());
  }

  @Test
  void thePapersTableIsThePolicyFromItsFirstWidth() {
    for (int width : new int[] {1024, 1500, 2896, 4096, 6000, 8192, 20000}) {
      Alpha0Table.Row row = Alpha0Table.DYT_PAPER.at(width);
      assertEquals(row.attention(), Alpha0Policy.forWidth(width).attention(), "attention at " + width);
      assertEquals(row.other(), Alpha0Policy.forWidth(width).other(), "other at " + width);
    }
  }

  @Test
  void belowThePapersTableThePolicyIsTheMeasuredSweep() throws Exception {
    Alpha0Table measured = Alpha0Table.read(Path.of("../configs/alpha0-small.yaml"));
    for (Alpha0Table.Row row : measured.rows()) {
      assertEquals(row.attention(), Alpha0Policy.forWidth(row.width()).attention(), "attention at " + row.width());
      assertEquals(row.other(), Alpha0Policy.forWidth(row.width()).other(), "other at " + row.width());
    }
    // halfway between 256 and 1024 in log2 (width 512): the mean of the two rows
    assertEquals(0.75, Alpha0Policy.forWidth(512).attention(), 1e-12);
    assertEquals(2.5, Alpha0Policy.forWidth(512).other(), 1e-12);
  }

  @Test
  void badTablesAreNamedWithFileAndWidth(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "32: {attention: 0.7}\n");
    String message = assertThrows(DytrainException.class,
        () -> ConfigLoader.load(TINY, List.of("model.alpha0_table=" + file))).getMessage();
    assertTrue(message.contains("bad.yaml") && message.contains("width 32") && message.contains("other"), message);
    Files.writeString(file, "64: {attention: 1, other: 1}\n32: {attention: 1, other: 1}\n");
    message = assertThrows(DytrainException.class, () -> Alpha0Table.read(file)).getMessage();
    assertTrue(message.contains("must increase"), message);
    message = assertThrows(DytrainException.class,
        () -> ConfigLoader.load(TINY, List.of("model.alpha0_table=" + dir.resolve("none.yaml")))).getMessage();
    assertTrue(message.contains("none.yaml does not exist"), message);
  }
}
