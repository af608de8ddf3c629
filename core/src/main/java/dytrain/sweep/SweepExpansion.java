package dytrain.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a {@link SweepSpec} into its trials: every list entry crossed with every grid point, on top of
 * {@code set:}, with derived keys filled in, each bound through {@link ConfigLoader} exactly as
 * {@code --set} overrides would be (unknown keys and wrong types are errors naming the trial and key).
 * With budgets a trial trains to the largest one under WSD with its warmup pinned, so every cooldown
 * branch is a standalone run's schedule ({@link CooldownPlan}).
 */
public final class SweepExpansion {
  private SweepExpansion() {}

  /** Reads a sweep file and expands it; {@code source} in errors is the file. */
  public static List<Trial> expand(Path sweepFile, DatasetIdentity datasets) {
    return expand(SweepSpec.read(sweepFile), sweepFile.toString(), datasets);
  }

  public static List<Trial> expand(SweepSpec spec, String source, DatasetIdentity datasets) {
    ObjectNode base = ConfigLoader.readTree(Path.of(spec.base()));
    List<Map<String, JsonNode>> entries = spec.list().isEmpty() ? List.of(Map.of()) : spec.list();
    List<Trial> trials = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Map<String, JsonNode> entry : entries) {
      for (Map<String, JsonNode> point : spec.gridPoints()) {
        Map<String, JsonNode> overrides = new LinkedHashMap<>(spec.set());
        overrides.putAll(entry);
        overrides.putAll(point);
        Trial t = trial(trials.size(), base, overrides, spec, source, datasets);
        Integer twin = seen.putIfAbsent(t.id(), t.index());
        if (twin != null) {
          throw new DytrainException(source + ": trials " + twin + " and " + t.index() + " resolve to the same config ("
              + describe(t.overrides()) + "); remove the repeat");
        }
        trials.add(t);
      }
    }
    return trials;
  }

  private static Trial trial(int index, ObjectNode base, Map<String, JsonNode> overrides, SweepSpec spec, String source,
      DatasetIdentity datasets) {
    derive(overrides, spec.derive(), source, index);
    overrides.put("distributed.ranks", IntNode.valueOf(spec.ranks()));
    DytrainConfig config = resolve(base, overrides, source, index);
    CooldownPlan plan = null;
    if (!spec.budgets().isEmpty()) {
      long tokensPerStep = (long) config.globalBatchSequences() * config.seqLen();
      long largest = spec.budgetTokens().stream().mapToLong(Long::longValue).max().orElseThrow();
      overrides.putIfAbsent("train.schedule", TextNode.valueOf("wsd"));
      overrides.put("train.steps", IntNode.valueOf((int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round((double) largest / tokensPerStep)))));
      config = resolve(base, overrides, source, index);
      // a standalone run to a smaller budget would default to a shorter warmup: pin the trunk's
      overrides.putIfAbsent("train.warmup_steps", IntNode.valueOf(config.train().warmupSteps()));
      try {
        plan = CooldownPlan.of(config.train(), tokensPerStep, spec.budgetTokens());
      } catch (DytrainException e) {
        throw new DytrainException(where(source, index, overrides) + ": " + e.getMessage(), e);
      }
    }
    String id = TrialId.of(config, datasets.of(config), plan == null ? List.of() : spec.budgetTokens());
    return new Trial(index, id, overrides, config, plan, spec.maxAttempts());
  }

  /** Fills derive: keys for a trial that sets model.hidden_size and not the key itself. */
  static void derive(Map<String, JsonNode> overrides, SweepSpec.Derive derive, String source, int index) {
    JsonNode width = overrides.get("model.hidden_size");
    if (derive == null || width == null) {
      return;
    }
    if (!width.canConvertToInt() || !width.isIntegralNumber() || width.asInt() <= 0) {
      throw new DytrainException(where(source, index, overrides) + ": model.hidden_size = " + width + " must be a positive integer");
    }
    int hidden = width.asInt();
    if (derive.headDim() != null && !overrides.containsKey("model.num_heads")) {
      if (hidden % derive.headDim() != 0) {
        throw new DytrainException(where(source, index, overrides) + ": derive.head_dim = " + derive.headDim()
            + " must divide model.hidden_size = " + hidden);
      }
      int heads = hidden / derive.headDim();
      overrides.put("model.num_heads", IntNode.valueOf(heads));
      if (!overrides.containsKey("model.num_kv_heads")) {
        if (heads % derive.kvGroup() != 0) {
          throw new DytrainException(where(source, index, overrides) + ": derive.kv_group = " + derive.kvGroup()
              + " must divide model.num_heads = " + heads);
        }
        overrides.put("model.num_kv_heads", IntNode.valueOf(heads / derive.kvGroup()));
      }
    }
    if ("llama".equals(derive.intermediateSize()) && !overrides.containsKey("model.intermediate_size")) {
      overrides.put("model.intermediate_size", IntNode.valueOf(ModelConfig.llamaIntermediateSize(hidden)));
    }
  }

  private static DytrainConfig resolve(ObjectNode base, Map<String, JsonNode> overrides, String source, int index) {
    ObjectNode tree = base.deepCopy();
    String where = where(source, index, overrides);
    overrides.forEach((key, value) -> ConfigLoader.set(tree, key, value.deepCopy(), where + ", key " + key));
    return ConfigLoader.bind(tree, DytrainConfig.class, where);
  }

  private static String where(String source, int index, Map<String, JsonNode> overrides) {
    return source + ", trial " + index + " (" + describe(overrides) + ")";
  }

  static String describe(Map<String, JsonNode> overrides) {
    return overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
  }
}
