package dytrain.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep file (configs/sweeps/NAME.yaml): a base training config and the overrides that make its trials.
 * Keys are the config's key paths, values are YAML, exactly as {@code --set} takes them.
 *
 * <pre>
 * base: configs/compare-norms.yaml     # a training config, relative to the folder dytrain runs from
 * set:                                 # overrides of every trial
 *   train.schedule: wsd
 * grid:                                # every combination; the last key varies fastest
 *   model.norm_type: [rmsnorm, dyt]
 *   seed: [1, 2]
 * list:                                # explicit override sets (co-varying keys), each crossed with the grid
 *   - {model.hidden_size: 128, model.num_layers: 2}
 *   - {model.hidden_size: 256, model.num_layers: 4}
 * derive:                              # where a trial sets model.hidden_size but not these keys:
 *   head_dim: 32                       #   model.num_heads = hidden_size / head_dim
 *   kv_group: 1                        #   model.num_kv_heads = num_heads / kv_group
 *   intermediate_size: llama           #   LLaMA's 8/3 x hidden_size rounded up (ModelConfig's default rule)
 * budgets: [2.0e6, 4.0e6, 8.0e6]       # token budgets: one WSD run per trial, a cooldown branch per budget
 * ranks: 1                             # ranks per trial (distributed.ranks)
 * max_attempts: 2                      # launches of a failing trial before it is recorded as failed
 * </pre>
 *
 * A key may be given in only one of set, grid and list, so no trial depends on a precedence rule.
 */
public record SweepSpec(String base, Map<String, JsonNode> set, Map<String, JsonNode> grid,
    List<Map<String, JsonNode>> list, Derive derive, List<Double> budgets, Integer ranks, Integer maxAttempts) {

  /**
   * Keys computed from {@code model.hidden_size}, so a width sweep stays a valid LLaMA shape.
   *
   * @param intermediateSize "llama": 8/3 of the width rounded up to a multiple of 8 (256 from width 1024)
   */
  public record Derive(Integer headDim, Integer kvGroup, String intermediateSize) {
    public Derive {
      if (headDim != null && (headDim < 2 || headDim % 2 != 0)) {
        throw new DytrainException("derive.head_dim = " + headDim + " must be a positive even number (RoPE rotates pairs)");
      }
      kvGroup = kvGroup == null ? 1 : kvGroup;
      if (kvGroup < 1) {
        throw new DytrainException("derive.kv_group = " + kvGroup + " must be at least 1 (query heads per key/value head)");
      }
      if (intermediateSize != null && !intermediateSize.equals("llama")) {
        throw new DytrainException("derive.intermediate_size = '" + intermediateSize + "' is unknown; allowed: llama");
      }
    }
  }

  public SweepSpec {
    if (base == null || base.isBlank()) {
      throw new DytrainException("base: is required: the training config the trials start from");
    }
    // insertion order kept: it is the grid's and the overrides' order
    set = set == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(set));
    grid = grid == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(grid));
    list = list == null ? List.of()
        : list.stream().map(e -> Collections.unmodifiableMap(new LinkedHashMap<>(e))).toList();
    budgets = budgets == null ? List.of() : List.copyOf(budgets);
    ranks = ranks == null ? 1 : ranks;
    maxAttempts = maxAttempts == null ? 2 : maxAttempts;
    if (ranks < 1) {
      throw new DytrainException("ranks = " + ranks + " must be at least 1");
    }
    if (maxAttempts < 1) {
      throw new DytrainException("max_attempts = " + maxAttempts + " must be at least 1");
    }
    grid.forEach((key, values) -> {
      if (!values.isArray() || values.isEmpty()) {
        throw new DytrainException("grid." + key + " must be a non-empty list of values, e.g. [1, 2]; got " + values);
      }
      values.forEach(v -> requireValue("grid." + key, v));
    });
    set.forEach((key, v) -> requireValue("set." + key, v));
    for (int i = 0; i < list.size(); i++) {
      int entry = i;
      list.get(i).forEach((key, v) -> requireValue("list[" + entry + "]." + key, v));
    }
    for (double b : budgets) {
      if (!(b >= 1) || b != Math.rint(b) || b > Long.MAX_VALUE) {
        throw new DytrainException("budgets: " + b + " is not a whole positive number of tokens");
      }
    }
    requireEachKeyOnce(set, grid, list);
    Set<String> keys = keys(set, grid, list);
    if (keys.contains("distributed.ranks")) {
      throw new DytrainException("distributed.ranks is set by the sweep's ranks:; give it there instead");
    }
    if (keys.contains("train.steps") && !budgets.isEmpty()) {
      throw new DytrainException("train.steps is set by the sweep (budgets:): a trial trains to its largest budget");
    }
  }

  /** A section or list in place of a value would replace a whole part of the base config: refused. */
  private static void requireValue(String where, JsonNode v) {
    if (v != null && v.isContainerNode()) {
      throw new DytrainException(where + " = " + v + ": give one value per key path (model.hidden_size: 64),"
          + " not a section or a list");
    }
  }

  /** Reads a sweep file; unknown keys and wrong types are errors naming the file and key. */
  public static SweepSpec read(Path file) {
    return ConfigLoader.bind(ConfigLoader.readTree(file), SweepSpec.class, file.toString());
  }

  /** The budgets in tokens, in the order given. */
  public List<Long> budgetTokens() {
    return budgets.stream().map(Double::longValue).toList();
  }

  private static void requireEachKeyOnce(Map<String, JsonNode> set, Map<String, JsonNode> grid, List<Map<String, JsonNode>> list) {
    Set<String> listKeys = new LinkedHashSet<>();
    list.forEach(entry -> listKeys.addAll(entry.keySet()));
    for (String key : grid.keySet()) {
      if (set.containsKey(key) || listKeys.contains(key)) {
        throw new DytrainException("'" + key + "' is given in grid: and in " + (set.containsKey(key) ? "set:" : "list:")
            + "; give each key in one place");
      }
    }
    for (String key : set.keySet()) {
      if (listKeys.contains(key)) {
        throw new DytrainException("'" + key + "' is given in set: and in list:; give each key in one place");
      }
    }
  }

  private static Set<String> keys(Map<String, JsonNode> set, Map<String, JsonNode> grid, List<Map<String, JsonNode>> list) {
    Set<String> all = new LinkedHashSet<>(set.keySet());
    all.addAll(grid.keySet());
    list.forEach(entry -> all.addAll(entry.keySet()));
    return all;
  }

  /** The grid's combinations in order (the last key varies fastest); one empty combination without a grid. */
  List<Map<String, JsonNode>> gridPoints() {
    List<Map<String, JsonNode>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (Map.Entry<String, JsonNode> axis : grid.entrySet()) {
      List<Map<String, JsonNode>> next = new ArrayList<>();
      for (Map<String, JsonNode> p : points) {
        for (JsonNode value : axis.getValue()) {
          Map<String, JsonNode> q = new LinkedHashMap<>(p);
          q.put(axis.getKey(), value);
          next.add(q);
        }
      }
      points = next;
    }
    return points;
  }
}
