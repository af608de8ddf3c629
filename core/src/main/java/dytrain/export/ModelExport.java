package dytrain.export;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
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
 * Writes and reads the export format of ARCHITECTURE.md: {@code model.safetensors} (fp32, Hugging Face LLaMA
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
    return read(dir, device, null);
  }

  /**
   * The same, the model computing in {@code dtype} (null: the dtype it was trained in); the weights are fp32
   * in every dtype.
   */
  public static Llama read(Path dir, Device device, String dtype) throws IOException {
    ModelConfig config = dtype == null ? readConfig(dir) : readConfig(dir).withDtype(dtype);
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
    JsonNode tree;
    try {
      tree = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new DytrainException(file + " is not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new DytrainException(file + " is not a JSON object of model config keys");
    }
    return parseConfig(tree, file.toString());
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
    ConfigKeys k = new ConfigKeys(c, file);
    int heads = k.integer("num_attention_heads", 0);
    return new ModelConfig(
        k.integer("vocab_size", 0),
        k.integer("hidden_size", 0),
        k.integer("intermediate_size", 0),
        k.integer("num_hidden_layers", 0),
        heads,
        k.integer("num_key_value_heads", heads),
        k.integer("max_position_embeddings", 0),
        k.number("rope_theta", 10000.0),
        NormType.parse(c.path("norm_type").asText("rmsnorm")),
        k.bool("norm_bias", false),
        k.number("rms_norm_eps", 1e-5),
        k.bool("tie_word_embeddings", false),
        c.hasNonNull("alpha0_attention") ? k.number("alpha0_attention", 0) : null,
        c.hasNonNull("alpha0_other") ? k.number("alpha0_other", 0) : null,
        k.number("initializer_range", 0.02),
        c.path("compute_dtype").asText("float32"));
  }

  /** Typed reads of config.json keys: a value of the wrong type is an error naming the file and key. */
  private record ConfigKeys(JsonNode c, String file) {
    int integer(String key, int absent) {
      JsonNode v = c.get(key);
      if (v == null || v.isNull()) return absent;
      if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) throw wrongType(key, v, "an integer");
      return v.asInt();
    }

    double number(String key, double absent) {
      JsonNode v = c.get(key);
      if (v == null || v.isNull()) return absent;
      if (!v.isNumber()) throw wrongType(key, v, "a number");
      return v.asDouble();
    }

    boolean bool(String key, boolean absent) {
      JsonNode v = c.get(key);
      if (v == null || v.isNull()) return absent;
      if (!v.isBoolean()) throw wrongType(key, v, "true or false");
      return v.asBoolean();
    }

    private DytrainException wrongType(String key, JsonNode v, String expected) {
      return new DytrainException(file + ": " + key + " = " + v + " must be " + expected);
    }
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
    c.put("torch_dtype", "float32"); // the stored weights; compute_dtype is what dytrain's matmuls ran in
    c.put("compute_dtype", m.dtype());
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
