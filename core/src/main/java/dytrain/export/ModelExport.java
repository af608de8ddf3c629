package dytrain.export;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import dytrain.config.NormType;
import dytrain.model.Llama;
import dytrain.model.Parameters;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads the export format of DESIGN.md: {@code model.safetensors} (fp32, Hugging Face LLaMA
 * tensor names) and {@code config.json} (LlamaConfig keys plus {@code norm_type} and {@code norm_bias}).
 * An rmsnorm export loads unchanged in LlamaForCausalLM.
 */
public final class ModelExport {

  public static final String WEIGHTS = "model.safetensors";
  public static final String CONFIG = "config.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelExport() {}

  /** Writes both files into {@code dir}, each under a temporary name first so a crash leaves no half file. */
  public static void write(Llama model, Path dir) throws IOException {
    Files.createDirectories(dir);
    writeAtomically(dir.resolve(WEIGHTS), out -> writeWeights(model, out));
    byte[] config = configJson(model);
    writeAtomically(dir.resolve(CONFIG), out -> out.write(config));
  }

  /** model.safetensors: every tensor in fp32 (a tied head is stored once, as the embedding). */
  public static void writeWeights(Llama model, OutputStream out) throws IOException {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : model.parameters().all().entrySet()) {
      try (NDArray fp32 = e.getValue().toType(DataType.FLOAT32, true)) { // a copy, freed at once: every checkpoint writes
        tensors.put(e.getKey(), new SafeTensors.Tensor(fp32.getShape().getShape(), fp32.toFloatArray()));
      }
    }
    SafeTensors.write(tensors, Map.of("format", "pt"), out);
  }

  public static byte[] configJson(Llama model) throws IOException {
    return JSON.writeValueAsBytes(hfConfig(model));
  }

  /** Reads an export back into a model that is bit for bit the one written. */
  public static Llama read(Path dir, Device device) throws IOException {
    ModelConfig config = readConfig(dir);
    Path weights = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(weights)) {
      throw new DytrainException(dir + " holds no " + WEIGHTS + "; is it a dytrain export?");
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(weights))) {
      return fromTensors(config, SafeTensors.read(in, weights.toString()), device, weights.toString());
    }
  }

  /** A model over loaded tensors; {@code source} names the weights file in errors. */
  public static Llama fromTensors(ModelConfig config, Map<String, SafeTensors.Tensor> tensors, Device device, String source) {
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    tensors.forEach((name, t) -> {
      values.put(name, t.data());
      shapes.put(name, t.shape());
    });
    Parameters params = Parameters.of(device, DataType.FLOAT32, values, shapes);
    try {
      return Llama.of(config, params);
    } catch (IllegalArgumentException e) {
      params.close();
      throw new DytrainException(source + " does not match its config.json: " + e.getMessage(), e);
    }
  }

  public static ModelConfig readConfig(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new DytrainException(dir + " holds no " + CONFIG + "; is it a dytrain export?");
    }
    return parseConfig(JSON.readTree(file.toFile()), file.toString());
  }

  /** A model config from Hugging Face LlamaConfig keys plus dytrain's norm keys. */
  public static ModelConfig parseConfig(JsonNode c, String file) {
    String[] required = {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "max_position_embeddings"};
    for (String key : required) {
      if (!c.hasNonNull(key)) {
        throw new DytrainException(file + ": missing key " + key);
      }
    }
    return new ModelConfig(
        c.get("vocab_size").asInt(),
        c.get("hidden_size").asInt(),
        c.get("intermediate_size").asInt(),
        c.get("num_hidden_layers").asInt(),
        c.get("num_attention_heads").asInt(),
        c.path("num_key_value_heads").asInt(c.get("num_attention_heads").asInt()),
        c.get("max_position_embeddings").asInt(),
        c.path("rope_theta").asDouble(10000.0),
        NormType.parse(c.path("norm_type").asText("rmsnorm")),
        c.path("norm_bias").asBoolean(false),
        c.path("rms_norm_eps").asDouble(1e-5),
        c.path("tie_word_embeddings").asBoolean(false),
        c.hasNonNull("alpha0_attention") ? c.get("alpha0_attention").asDouble() : null,
        c.hasNonNull("alpha0_other") ? c.get("alpha0_other").asDouble() : null,
        c.path("initializer_range").asDouble(0.02),
        "float32");
  }

  static ObjectNode hfConfig(Llama model) {
    ModelConfig m = model.config();
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("vocab_size", m.vocabSize());
    c.put("hidden_size", m.hiddenSize());
    c.put("intermediate_size", m.intermediateSize());
    c.put("num_hidden_layers", m.numLayers());
    c.put("num_attention_heads", m.numHeads());
    c.put("num_key_value_heads", m.numKvHeads());
    c.put("head_dim", m.headDim());
    c.put("max_position_embeddings", m.maxSeqLen());
    c.put("rope_theta", m.ropeTheta());
    c.putNull("rope_scaling");
    c.put("rms_norm_eps", m.normEps());
    c.put("hidden_act", "silu");
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    c.put("mlp_bias", false);
    c.put("tie_word_embeddings", m.tieEmbeddings());
    c.put("initializer_range", m.initStd());
    c.put("torch_dtype", "float32");
    c.put("norm_type", m.normType().key());
    c.put("norm_bias", m.normBias());
    if (m.normType().isDynamic()) {
      // The values the model was initialised with: the policy's or the config's (stored for provenance).
      c.put("alpha0_attention", model.alpha0().attention());
      c.put("alpha0_other", model.alpha0().other());
      c.put("alpha0_source", model.alpha0().source());
    }
    return c;
  }

  interface Writer {
    void write(OutputStream out) throws IOException;
  }

  static void writeAtomically(Path target, Writer writer) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      writer.write(out);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
