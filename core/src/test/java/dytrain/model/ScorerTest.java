package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import dytrain.config.DytrainException;
import dytrain.export.ModelExport;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScorerTest {

  @TempDir Path dir;

  /** An exported, re-imported tiny model scores a sequence as the plain-Java forward does. */
  @Test
  void scoreOfAnExportedModelMatchesPlainJavaForward() throws Exception {
    var config = TinyModels.config("model.norm_type=derf");
    try (Llama model = Llama.init(config, 21)) {
      TinyModels.perturb(model, 8);
      ModelExport.write(model, dir);
    }
    int[] tokens = {4, 8, 15, 16, 23, 42, 1, 0, 63};
    try (Llama loaded = ModelExport.read(dir, Device.cpu())) {
      double[] nll = Scorer.tokenNll(loaded, tokens);
      int[] in = Arrays.copyOf(tokens, tokens.length - 1);
      int[] tg = Arrays.copyOfRange(tokens, 1, tokens.length);
      assertArrayEquals(new ReferenceLlama(loaded.config(), TinyModels.floats(loaded)).nll(in, tg), nll, 1e-4);
    }
  }

  @Test
  void sequencesLongerThanTheContextAreRefused() {
    try (Llama model = Llama.init(TinyModels.config("model.max_seq_len=4"), 1)) {
      var e = assertThrows(DytrainException.class, () -> Scorer.tokenNll(model, new int[] {1, 2, 3, 4, 5, 6}));
      assertEquals(true, e.getMessage().contains("max_seq_len"), e.getMessage());
    }
  }
}
