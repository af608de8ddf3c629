package dytrain.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dytrain.config.DytrainException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Hugging Face's tokenizer.json for byte-level BPE (the GPT-2 family). Files of other
 * kinds (WordPiece, SentencePiece-style Metaspace, normalizers) are refused with a message rather than
 * half-supported, because a silently different encoder would corrupt a dataset.
 */
public final class HfTokenizerJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final List<String> EOS_NAMES = List.of("<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>");
  private static final List<String> BOS_NAMES = List.of("<s>", "<|begin_of_text|>", "<bos>", "<|bos|>");

  private HfTokenizerJson() {}

  /** Parses {@code json}; {@code source} names the file in error messages. */
  public static ByteLevelBpe read(String json, String source, String name) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new DytrainException(
          "tokenizer " + source + " is not valid JSON (line " + e.getLocation().getLineNr() + "): "
              + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new DytrainException("tokenizer " + source + " is not a tokenizer.json object");
    }
    JsonNode model = root.path("model");
    require(model.path("type").asText("").equals("BPE"), source,
        "model.type must be \"BPE\", found " + model.path("type"));
    require(isByteLevel(root.path("pre_tokenizer")), source,
        "pre_tokenizer must be ByteLevel with add_prefix_space=false and use_regex=true, found "
            + root.path("pre_tokenizer"));
    require(root.path("normalizer").isNull() || root.path("normalizer").isMissingNode(), source,
        "normalizers are not supported, found " + root.path("normalizer"));
    require(model.path("continuing_subword_prefix").isNull() || model.path("continuing_subword_prefix").isMissingNode()
            , source, "model.continuing_subword_prefix is not supported");
    require(model.path("end_of_word_suffix").isNull() || model.path("end_of_word_suffix").isMissingNode()
            , source, "model.end_of_word_suffix is not supported");
    require(!model.path("byte_fallback").asBoolean(false), source, "model.byte_fallback is not supported");
    require(model.path("vocab").isObject(), source, "model.vocab must be an object of token -> id");
    require(model.path("merges").isArray(), source, "model.merges must be an array");

    Map<String, Integer> vocab = new LinkedHashMap<>();
    model.path("vocab").fields().forEachRemaining(e -> {
      require(e.getValue().canConvertToInt() && e.getValue().asInt() >= 0, source,
          "model.vocab[\"" + e.getKey() + "\"] must be a non-negative integer id, found " + e.getValue());
      vocab.put(e.getKey(), e.getValue().asInt());
    });
    List<String[]> merges = new ArrayList<>();
    int index = 0;
    for (JsonNode m : model.path("merges")) {
      index++;
      String[] parts;
      if (m.isTextual()) {
        parts = m.asText().split(" ", -1); // the older "left right" form
      } else if (m.isArray()) {
        parts = new String[m.size()];
        for (int i = 0; i < m.size(); i++) parts[i] = m.get(i).asText();
      } else {
        parts = new String[0];
      }
      require(parts.length == 2, source, "model.merges[" + (index - 1) + "] must be a pair, found " + m);
      merges.add(parts);
    }
    Map<String, Integer> specials = new LinkedHashMap<>();
    for (JsonNode t : root.path("added_tokens")) {
      require(t.path("content").isTextual() && t.path("id").canConvertToInt(), source,
          "added_tokens entries need \"id\" and \"content\", found " + t);
      specials.put(t.path("content").asText(), t.path("id").asInt());
    }
    Integer eos = firstOf(EOS_NAMES, specials);
    require(eos != null, source, "added_tokens holds no end-of-text token (one of " + EOS_NAMES + ")");
    Integer bos = firstOf(BOS_NAMES, specials);
    try {
      return new ByteLevelBpe(name, vocab, merges, specials, model.path("ignore_merges").asBoolean(false),
          bos == null ? eos : bos, eos);
    } catch (IllegalArgumentException e) {
      throw new DytrainException("tokenizer " + source + ": " + e.getMessage());
    }
  }

  /** The tokenizer.json text for {@code bpe}, with vocab in id order and merges in rank order. */
  public static String write(ByteLevelBpe bpe) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    bpe.specials().entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
      ObjectNode t = added.addObject();
      t.put("id", e.getValue());
      t.put("content", e.getKey());
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    });
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(false, true));
    root.putNull("post_processor");
    root.set("decoder", byteLevel(true, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", bpe.ignoreMerges());
    ObjectNode vocab = model.putObject("vocab");
    bpe.vocab().entrySet().stream()
        .sorted(Comparator.comparing(Map.Entry<String, Integer>::getValue))
        .forEach(e -> vocab.put(e.getKey(), e.getValue()));
    ArrayNode merges = model.putArray("merges");
    for (String[] m : bpe.merges()) {
      merges.add(m[0] + " " + m[1]);
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "ByteLevel");
    n.put("add_prefix_space", addPrefixSpace);
    n.put("trim_offsets", trimOffsets);
    n.put("use_regex", true);
    return n;
  }

  private static boolean isByteLevel(JsonNode pre) {
    return pre.path("type").asText("").equals("ByteLevel")
        && !pre.path("add_prefix_space").asBoolean(false)
        && pre.path("use_regex").asBoolean(true);
  }

  private static Integer firstOf(List<String> names, Map<String, Integer> specials) {
    for (String n : names) {
      if (specials.containsKey(n)) return specials.get(n);
    }
    return null;
  }

  private static void require(boolean ok, String source, String what) {
    if (!ok) {
      throw new DytrainException("tokenizer " + source + ": " + what);
    }
  }
}
