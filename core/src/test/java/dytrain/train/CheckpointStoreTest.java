package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainException;
import dytrain.config.TrainConfig;
import dytrain.data.DatasetFileSystem;
import dytrain.io.FullDisk;
import dytrain.model.Llama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  @TempDir Path run;

  static TrainState state(long step) {
    return new TrainState(step, step * 4, 1, step * 64, 0, 0, 0, null, null, "byte", null, null);
  }

  @Test
  void keepsTheLastKPlusEveryMth() throws Exception {
    var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of()).model();
    var store = new CheckpointStore(run.toString(), new Configuration(), 2, 4);
    try (Llama model = Llama.init(config, 1)) {
      var opt = new AdamW(model.parameters(), TrainConfig.defaults());
      for (long step = 1; step <= 9; step++) {
        store.save(model, opt, state(step), Map.of("tokenizer.json", new byte[] {1, 2}));
      }
    }
    List<Long> kept = store.list().stream().map(CheckpointStore.Checkpoint::step).toList();
    assertEquals(List.of(9L, 8L, 4L), kept);
  }

  @Test
  void aSaveRemovesWhatACrashedSaveLeftHalfWritten() throws Exception {
    var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of()).model();
    var store = new CheckpointStore(run.toString(), new Configuration(), 2, 0);
    Path leftOver = Files.createDirectories(run.resolve("checkpoints/step-00000007.tmp"));
    Files.writeString(leftOver.resolve("model.safetensors"), "cut short");
    try (Llama model = Llama.init(config, 1)) {
      store.save(model, new AdamW(model.parameters(), TrainConfig.defaults()), state(10), Map.of());
    }
    assertTrue(Files.notExists(leftOver));
    assertEquals(List.of(10L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
  }

  /**
   * A disk that fills up while a checkpoint is written: the save fails as the user's error, naming the
   * checkpoint folder, the disk's own words and what is kept; the checkpoint before it stays whole and newest.
   */
  @Test
  void aCheckpointThatDoesNotFitOnTheDiskFailsClearlyAndKeepsTheOneBefore() throws Exception {
    var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of()).model();
    try (Llama model = Llama.init(config, 1)) {
      var opt = new AdamW(model.parameters(), TrainConfig.defaults());
      new CheckpointStore(run.toString(), new Configuration(), 3, 0).save(model, opt, state(1), Map.of());
      var onAFullDisk = new CheckpointStore(run.toString(), FullDisk.on(new Configuration(), 10_000), 3, 0);
      var e = assertThrows(DytrainException.class, () -> onAFullDisk.save(model, opt, state(2), Map.of()));
      assertTrue(e.getMessage().contains("checkpoints/step-00000002 does not fit: No space left on device")
          && e.getMessage().contains("the checkpoint at step 1 is kept"), e.getMessage());
    }
    var store = new CheckpointStore(run.toString(), new Configuration(), 3, 0);
    assertEquals(List.of(1L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
    var newest = store.newest().orElseThrow().dir();
    CheckpointStore.verify(DatasetFileSystem.of(newest, new Configuration()), newest);
  }

  @Test
  void aCorruptFileIsDetectedOnLoadAndAHalfWrittenOneIsIgnored() throws Exception {
    var config = ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of()).model();
    var store = new CheckpointStore(run.toString(), new Configuration(), 3, 0);
    try (Llama model = Llama.init(config, 1)) {
      var opt = new AdamW(model.parameters(), TrainConfig.defaults());
      store.save(model, opt, state(5), Map.of());
    }
    // A crash mid-write leaves only a .tmp folder, which is not a checkpoint.
    Files.createDirectories(run.resolve("checkpoints/step-00000006.tmp"));
    var newest = store.newest().orElseThrow();
    assertEquals(5, newest.step());
    try (var loaded = store.load(newest, Device.cpu()).model()) {
      assertEquals(config.hiddenSize(), loaded.config().hiddenSize());
    }
    Path optimizer = run.resolve("checkpoints/step-00000005/optimizer.safetensors");
    byte[] bytes = Files.readAllBytes(optimizer);
    bytes[bytes.length - 1] ^= 1;
    Files.write(optimizer, bytes);
    var e = assertThrows(DytrainException.class, () -> store.load(newest, Device.cpu()));
    assertTrue(e.getMessage().contains("optimizer.safetensors is corrupt"), e.getMessage());

    Files.delete(optimizer);
    e = assertThrows(DytrainException.class, () -> store.load(newest, Device.cpu()));
    assertTrue(e.getMessage().contains("is incomplete: optimizer.safetensors, listed in SHA256SUMS, is missing"), e.getMessage());
    Files.writeString(run.resolve("checkpoints/step-00000005/SHA256SUMS"), "abc\n");
    e = assertThrows(DytrainException.class, () -> store.load(newest, Device.cpu()));
    assertTrue(e.getMessage().contains("SHA256SUMS is corrupt: 'abc'"), e.getMessage());
  }
}
