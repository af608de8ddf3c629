package dytrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialIdTest {

  static final Path TINY = Path.of("../configs/tiny.yaml");

  @Test
  void theSameConfigGivesTheSameId() {
    String a = TrialId.of(ConfigLoader.load(TINY, List.of("seed=3")), "h", List.of());
    String b = TrialId.of(ConfigLoader.load(TINY, List.of("seed=3")), "h", List.of());
    assertEquals(a, b);
    assertEquals(16, a.length());
  }

  @Test
  void keyOrderInTheYamlDoesNotMatter(@TempDir Path dir) throws Exception {
    Path one = dir.resolve("one.yaml");
    Path two = dir.resolve("two.yaml");
    Files.writeString(one, "seed: 1\nmodel:\n  vocab_size: 64\n  hidden_size: 32\n  num_layers: 2\n  num_heads: 4\n"
        + "  max_seq_len: 64\ntrain:\n  lr: 0.01\n  steps: 10\n");
    Files.writeString(two, "train:\n  steps: 10\n  lr: 0.01\nmodel:\n  max_seq_len: 64\n  num_heads: 4\n  num_layers: 2\n"
        + "  hidden_size: 32\n  vocab_size: 64\nseed: 1\n");
    assertEquals(TrialId.of(ConfigLoader.load(one, List.of()), "h", List.of()),
        TrialId.of(ConfigLoader.load(two, List.of()), "h", List.of()));
  }

  @Test
  void changingAnyResolvedKeyChangesTheId() {
    DytrainConfig config = ConfigLoader.load(TINY, List.of("data.dataset=/data/a"));
    JsonNode tree = ConfigLoader.YAML.valueToTree(config);
    String id = TrialId.of(tree, "h", List.of());
    List<String> leaves = new ArrayList<>();
    collectLeaves(tree, "", leaves);
    assertTrue(leaves.size() > 40, "every section's keys are in the tree: " + leaves);
    for (String leaf : leaves) {
      ObjectNode changed = tree.deepCopy();
      String[] path = leaf.split("\\.");
      ObjectNode parent = path.length == 1 ? changed : (ObjectNode) changed.get(path[0]);
      String key = path[path.length - 1];
      parent.set(key, changedValue(parent.get(key)));
      if (leaf.equals("data.dataset")) {
        assertEquals(id, TrialId.of(changed, "h", List.of()), "the dataset counts by content, not path");
      } else {
        assertNotEquals(id, TrialId.of(changed, "h", List.of()), leaf);
      }
    }
    assertNotEquals(id, TrialId.of(tree, "other content", List.of()));
    assertNotEquals(id, TrialId.of(tree, "h", List.of(1000L)));
    assertTrue(TrialId.canonicalJson(tree, "h", List.of()).contains("\"model_version\":" + TrialId.MODEL_VERSION));
  }

  private static JsonNode changedValue(JsonNode v) {
    if (v == null || v.isNull()) return TextNode.valueOf("set");
    if (v.isBoolean()) return BooleanNode.valueOf(!v.asBoolean());
    if (v.isIntegralNumber()) return LongNode.valueOf(v.asLong() + 1);
    if (v.isNumber()) return DoubleNode.valueOf(v.asDouble() * 1.5 + 1e-9);
    return TextNode.valueOf(v.asText() + "x");
  }

  private static void collectLeaves(JsonNode node, String prefix, List<String> out) {
    node.fieldNames().forEachRemaining(name -> {
      JsonNode child = node.get(name);
      if (child.isObject()) {
        collectLeaves(child, prefix + name + ".", out);
      } else {
        out.add(prefix + name);
      }
    });
  }
}
