package dytrain.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import dytrain.model.Llama;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExportRoundTripTest {

  @TempDir Path dir;

  static ModelConfig tiny(String... overrides) {
    return ConfigLoader.load(Path.of("../configs/tiny.yaml"), List.of(overrides)).model();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rmsnorm", "layernorm", "dyt", "derf"})
  void importReproducesEveryTensorBitForBit(String normType) throws Exception {
    ModelConfig config = tiny("model.norm_type=" + normType, "model.norm_bias=true");
    try (Llama model = Llama.init(config, 3)) {
      ModelExport.write(model, dir);
      try (Llama back = ModelExport.read(dir, Device.cpu())) {
        assertEquals(model.parameters().all().keySet(), back.parameters().all().keySet());
        for (Map.Entry<String, NDArray> e : model.parameters().all().entrySet()) {
          NDArray other = back.parameters().get(e.getKey());
          assertEquals(e.getValue().getShape(), other.getShape(), e.getKey());
          assertArrayEquals(e.getValue().toFloatArray(), other.toFloatArray(), 0f, e.getKey());
        }
        assertEquals(config.normType(), back.config().normType());
        assertEquals(config.numKvHeads(), back.config().numKvHeads());
      }
    }
  }

  /** Everything that shapes the forward pass comes back, set away from its defaults. */
  @Test
  void importRestoresTheConfigThatShapesTheForwardPass() throws Exception {
    ModelConfig config = tiny("model.norm_type=dyt", "model.rope_theta=500000", "model.norm_eps=1e-6",
        "model.tie_embeddings=true", "model.alpha0_attention=0.7", "model.alpha0_other=0.3", "model.max_seq_len=48");
    try (Llama model = Llama.init(config, 3)) {
      ModelExport.write(model, dir);
      try (Llama back = ModelExport.read(dir, Device.cpu())) {
        ModelConfig b = back.config();
        assertEquals(List.of(config.vocabSize(), config.hiddenSize(), config.intermediateSize(), config.numLayers(),
            config.numHeads(), config.numKvHeads(), config.maxSeqLen()),
            List.of(b.vocabSize(), b.hiddenSize(), b.intermediateSize(), b.numLayers(), b.numHeads(),
                b.numKvHeads(), b.maxSeqLen()));
        assertEquals(500000.0, b.ropeTheta());
        assertEquals(1e-6, b.normEps());
        assertEquals(true, b.tieEmbeddings());
        assertEquals(config.normBias(), b.normBias());
        assertEquals(model.alpha0().toString(), back.alpha0().toString());
        assertTrue(model.alpha0().toString().contains("0.7") && model.alpha0().toString().contains("0.3"), model.alpha0().toString());
      }
    }
  }

  @Test
  void namesFollowHuggingFaceLlama() throws Exception {
    try (Llama model = Llama.init(tiny("model.norm_type=derf", "model.tie_embeddings=true"), 1)) {
      ModelExport.write(model, dir);
    }
    Map<String, SafeTensors.Tensor> tensors;
    try (var in = Files.newInputStream(dir.resolve("model.safetensors"))) {
      tensors = SafeTensors.read(in, "x");
    }
    assertTrue(tensors.containsKey("model.embed_tokens.weight"));
    assertTrue(tensors.containsKey("model.layers.1.self_attn.k_proj.weight"));
    assertTrue(tensors.containsKey("model.layers.0.mlp.down_proj.weight"));
    assertArrayEquals(new long[] {1}, tensors.get("model.layers.0.input_layernorm.alpha").shape());
    assertArrayEquals(new long[] {1}, tensors.get("model.norm.shift").shape());
    assertArrayEquals(new long[] {1}, tensors.get("model.embed_scale").shape());
    assertFalse(tensors.containsKey("lm_head.weight"), "a tied head is not written twice");
    JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
    assertEquals("llama", config.get("model_type").asText());
    assertEquals("derf", config.get("norm_type").asText());
    assertEquals(2, config.get("num_key_value_heads").asInt());
    assertTrue(config.get("tie_word_embeddings").asBoolean());
  }

  @Test
  void safetensorsHeaderIsEightByteAlignedAndLittleEndian() throws Exception {
    var out = new ByteArrayOutputStream();
    SafeTensors.write(Map.of("a", new SafeTensors.Tensor(new long[] {2}, new float[] {1f, -2f})), Map.of(), out);
    byte[] b = out.toByteArray();
    long headerLen = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLen % 8);
    assertEquals(8 + headerLen + 8, b.length);
    // 1.0f is 0x3F800000: little-endian bytes 00 00 80 3F.
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, Arrays.copyOfRange(b, (int) (8 + headerLen), (int) (12 + headerLen)));
  }

  @Test
  void weightsOfAnotherShapeAreRefusedNamingTheFiles() throws Exception {
    try (Llama model = Llama.init(tiny(), 1)) {
      ModelExport.write(model, dir);
    }
    String json = Files.readString(dir.resolve("config.json")).replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 1");
    Files.writeString(dir.resolve("config.json"), json);
    var e = assertThrows(DytrainException.class, () -> ModelExport.read(dir, Device.cpu()));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("model.layers.1"), e.getMessage());
  }

  @Test
  void aConfigJsonOfWrongTypesOrSyntaxIsNamed() throws Exception {
    try (Llama model = Llama.init(tiny(), 1)) {
      ModelExport.write(model, dir);
    }
    String json = Files.readString(dir.resolve("config.json"));
    Files.writeString(dir.resolve("config.json"), json.replaceFirst("\"vocab_size\" : \\d+", "\"vocab_size\" : \"abc\""));
    var e = assertThrows(DytrainException.class, () -> ModelExport.read(dir, Device.cpu()));
    assertTrue(e.getMessage().contains("config.json: vocab_size = \"abc\" must be an integer"), e.getMessage());
    Files.writeString(dir.resolve("config.json"), json.replaceFirst("\"tie_word_embeddings\" : \\w+", "\"tie_word_embeddings\" : 1"));
    e = assertThrows(DytrainException.class, () -> ModelExport.read(dir, Device.cpu()));
    assertTrue(e.getMessage().contains("tie_word_embeddings = 1 must be true or false"), e.getMessage());
    Files.writeString(dir.resolve("config.json"), json.substring(0, json.length() / 2));
    e = assertThrows(DytrainException.class, () -> ModelExport.read(dir, Device.cpu()));
    assertTrue(e.getMessage().contains("config.json is not valid JSON"), e.getMessage());
  }
}
