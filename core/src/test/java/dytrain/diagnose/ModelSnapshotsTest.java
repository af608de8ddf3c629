package dytrain.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import dytrain.data.TokenDataset;
import dytrain.export.ModelExport;
import dytrain.model.Llama;
import dytrain.model.TinyModels;
import dytrain.train.TinyDataset;
import dytrain.train.TrainingFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSnapshotsTest {

  @TempDir Path dir;

  @Test
  void aRunFolderGivesEveryCheckpointOldestFirstWithItsOwnAlpha() throws Exception {
    Path data = dir.resolve("data");
    TinyDataset.write(data, 64, 20, 2, 1);
    Path run = dir.resolve("run");
    TrainingFixture.train(TrainingFixture.config(data, "train.keep_last=5"), run, TrainingFixture.SILENT);
    ModelSnapshots snapshots = ModelSnapshots.of(run);
    ModelConfig config = snapshots.config();
    TokenSample sample = TokenSample.read(TokenDataset.open(data.toString(), new Configuration()), "val", 64, config);
    Diagnosis d = snapshots.diagnose(sample, List.of("1.mlp", "final"));

    assertTrue(snapshots.overTraining());
    assertEquals(List.of(OptionalLong.of(4), OptionalLong.of(8), OptionalLong.of(12)),
        d.snapshots().stream().map(Diagnosis.Snapshot::step).toList());
    for (Diagnosis.Snapshot s : d.snapshots()) {
      Path checkpoint = run.resolve(String.format("checkpoints/step-%08d", s.step().orElseThrow()));
      try (Llama model = ModelExport.read(checkpoint, Device.cpu())) {
        assertEquals(model.parameters().get("model.norm.alpha").getFloat(), s.layers().get(1).alpha(), 0);
        assertEquals(model.parameters().get("model.layers.1.post_attention_layernorm.alpha").getFloat(),
            s.layers().get(0).alpha(), 0);
      }
    }
    assertNotEquals(d.snapshots().get(0).layers().get(1).alpha(), d.newest().layers().get(1).alpha(), "alpha trained");

    Path newest = run.resolve("checkpoints/step-00000012");
    Diagnosis one = ModelSnapshots.of(newest).diagnose(sample, List.of("1.mlp", "final"));
    assertEquals(List.of(OptionalLong.of(12)), one.snapshots().stream().map(Diagnosis.Snapshot::step).toList());
    assertEquals(d.newest().layers().get(1).inputStd(), one.newest().layers().get(1).inputStd(), 0,
        "a checkpoint alone measures as it does in its run");
  }

  @Test
  void aBfloat16ModelIsMeasuredOnAnFp32ForwardPass() throws Exception {
    ModelConfig config = TinyModels.config("model.dtype=bfloat16");
    Path export = dir.resolve("bf16");
    TokenSample sample = new TokenSample(NormDiagnosisTest.randomWindows(2, 64, 64, 3), 128);
    List<LayerStatistics> inBf16;
    try (Llama model = Llama.init(config, 2)) {
      TinyModels.perturb(model, 8);
      ModelExport.write(model, export);
      inBf16 = NormDiagnosis.of(model, sample, NormLayers.of(config));
    }
    List<LayerStatistics> inFp32;
    try (Llama model = ModelExport.read(export, Device.cpu(), "float32")) {
      inFp32 = NormDiagnosis.of(model, sample, NormLayers.of(config));
    }
    Diagnosis d = ModelSnapshots.of(export).diagnose(sample, NormLayers.of(config));

    assertEquals("bfloat16", d.config().dtype(), "the model as it was trained");
    assertEquals(OptionalLong.empty(), d.newest().step(), "an export has no step");
    for (int i = 0; i < inFp32.size(); i++) {
      assertEquals(inFp32.get(i).inputStd(), d.newest().layers().get(i).inputStd(), 0, inFp32.get(i).layer());
    }
    assertNotEquals(inBf16.get(4).inputStd(), inFp32.get(4).inputStd(), "bf16 matmuls would have changed the final norm's input");
  }

  @Test
  void missingFoldersAndUnknownLayersAreNamed() throws Exception {
    var missing = assertThrows(DytrainException.class, () -> ModelSnapshots.of(dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("nope: no such folder"), missing.getMessage());
    Files.createDirectories(dir.resolve("empty-run/checkpoints"));
    var empty = assertThrows(DytrainException.class, () -> ModelSnapshots.of(dir.resolve("empty-run")));
    assertTrue(empty.getMessage().contains("run folder without a complete checkpoint"), empty.getMessage());

    ModelConfig config = TinyModels.config();
    assertEquals(List.of("0.attention", "0.mlp", "1.attention", "1.mlp", "final"), NormLayers.select("all", config));
    assertEquals(List.of("1.attention", "1.mlp", "final"), NormLayers.select("final, 1", config), "forward order");
    var unknown = assertThrows(DytrainException.class, () -> NormLayers.select("0.attention,2.mlp", config));
    assertTrue(unknown.getMessage().contains("'2.mlp' is not a norm layer of this model; its norm layers are 0.attention, "
        + "0.mlp, 1.attention, 1.mlp, final"), unknown.getMessage());
    assertEquals("3.mlp", NormLayers.shortName("model.layers.3.post_attention_layernorm"));
  }

  @Test
  void aSampleIsWholeSequencesOrAllTheSplitHas() throws Exception {
    Path data = dir.resolve("data");
    TinyDataset.write(data, 64, 20, 1, 4);
    TokenDataset ds = TokenDataset.open(data.toString(), new Configuration());
    ModelConfig config = TinyModels.config();
    long valTokens = ds.manifest().split("val").tokens();

    assertEquals(20, TokenSample.read(ds, "val", 20, config).tokens(), "one sequence shorter than max_seq_len");
    assertEquals(128, TokenSample.read(ds, "val", 100, config).tokens(), "whole sequences of 64");
    TokenSample all = TokenSample.read(ds, "val", 1_000_000, config);
    assertEquals(valTokens / 64 * 64, all.tokens(), "clamped to the split");
    assertEquals(1_000_000, all.requested());
  }
}
