package dytrain.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * A trial's identity, so a rerun of a sweep finds its finished trials: sha256 of canonical JSON (keys
 * sorted at every level, no spaces) holding the resolved config, the dataset's content hash, the token
 * budgets and {@link #MODEL_VERSION}. The dataset enters by content, not by path (data.dataset is left
 * out), so moving a dataset keeps the ids and re-tokenizing it changes them.
 */
public final class TrialId {

  /** Raise when a change to the model or trainer makes earlier trials' results incomparable. */
  public static final int MODEL_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TrialId() {}

  /** 16 hex digits (64 bits) of the hash: short enough for a folder name, collisions beyond any sweep's size. */
  public static String of(DytrainConfig config, String datasetIdentity, List<Long> budgets) {
    return of(ConfigLoader.YAML.valueToTree(config), datasetIdentity, budgets);
  }

  static String of(JsonNode resolvedConfig, String datasetIdentity, List<Long> budgets) {
    return sha256(canonicalJson(resolvedConfig, datasetIdentity, budgets)).substring(0, 16);
  }

  static String canonicalJson(JsonNode resolvedConfig, String datasetIdentity, List<Long> budgets) {
    ObjectNode config = resolvedConfig.deepCopy();
    if (config.get("data") instanceof ObjectNode data) {
      data.remove("dataset");
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("model_version", MODEL_VERSION);
    root.put("dataset", datasetIdentity);
    ArrayNode b = root.putArray("budgets");
    budgets.forEach(b::add);
    root.set("config", config);
    return sorted(root).toString();
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode out = JSON.createObjectNode();
      for (String name : names) out.set(name, sorted(node.get(name)));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JSON.createArrayNode();
      node.forEach(e -> out.add(sorted(e)));
      return out;
    }
    return node;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
