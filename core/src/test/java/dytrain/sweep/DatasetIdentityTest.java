package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.data.Manifest;
import dytrain.train.TinyDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetIdentityTest {

  @Test
  void aMovedDatasetKeepsItsTrialIdsAndOtherDataChangesThem(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a");
    Path moved = dir.resolve("moved");
    Path other = dir.resolve("other");
    TinyDataset.write(a, 64, 4, 2, 1);
    TinyDataset.write(other, 64, 4, 2, 2);
    Files.createDirectories(moved);
    try (var files = Files.list(a)) {
      for (Path f : files.toList()) Files.copy(f, moved.resolve(f.getFileName()));
    }
    DatasetIdentity identity = DatasetIdentity.manifests(new Configuration());
    String manifestHash = Manifest.fromJson(Files.readString(a.resolve(Manifest.FILE_NAME))).contentHash();
    assertEquals(manifestHash, identity.of(at(a)));
    assertEquals(TrialId.of(at(a), identity.of(at(a)), List.of()), TrialId.of(at(moved), identity.of(at(moved)), List.of()));
    assertNotEquals(TrialId.of(at(a), identity.of(at(a)), List.of()), TrialId.of(at(other), identity.of(at(other)), List.of()));
    assertEquals(DatasetIdentity.NONE, identity.of(ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of())));
  }

  private static DytrainConfig at(Path dataset) {
    return ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of("data.dataset=" + dataset));
  }
}
