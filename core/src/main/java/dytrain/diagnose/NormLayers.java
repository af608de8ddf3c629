package dytrain.diagnose;

import dytrain.config.DytrainException;
import dytrain.config.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a diagnosis gives a model's norm layers, shorter than their tensor names: {@code N.attention}
 * (before block N's attention, {@code model.layers.N.input_layernorm}), {@code N.mlp} (before its MLP,
 * {@code model.layers.N.post_attention_layernorm}) and {@code final} ({@code model.norm}).
 */
public final class NormLayers {
  private NormLayers() {}

  public static final String FINAL = "final";
  private static final Pattern BLOCK_NORM = Pattern.compile("model\\.layers\\.(\\d+)\\.(input_layernorm|post_attention_layernorm)");

  /** Every norm layer of a model, in the order of the forward pass. */
  public static List<String> of(ModelConfig model) {
    List<String> names = new ArrayList<>();
    for (int block = 0; block < model.numLayers(); block++) {
      names.add(block + ".attention");
      names.add(block + ".mlp");
    }
    names.add(FINAL);
    return names;
  }

  /** The short name of a norm's tensor name prefix (what {@link dytrain.model.NormProbe} is given). */
  public static String shortName(String tensorPrefix) {
    if (tensorPrefix.equals("model.norm")) {
      return FINAL;
    }
    Matcher m = BLOCK_NORM.matcher(tensorPrefix);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a norm layer's tensor prefix: " + tensorPrefix);
    }
    return m.group(1) + (m.group(2).equals("input_layernorm") ? ".attention" : ".mlp");
  }

  /**
   * The layers a comma-separated list names, in the order of the forward pass: layer names, or a block
   * number for both of its norms; null or {@code all} for every layer.
   */
  public static List<String> select(String list, ModelConfig model) {
    List<String> all = of(model);
    if (list == null || list.isBlank() || list.strip().equals("all")) {
      return all;
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (String item : list.split(",")) {
      String name = item.strip();
      if (all.contains(name)) {
        wanted.add(name);
      } else if (name.matches("\\d+") && all.contains(name + ".attention")) {
        wanted.add(name + ".attention");
        wanted.add(name + ".mlp");
      } else {
        throw new DytrainException("'" + name + "' is not a norm layer of this model; its norm layers are "
            + String.join(", ", all) + " (or a block number 0-" + (model.numLayers() - 1) + " for both of its norms, or all)");
      }
    }
    return all.stream().filter(wanted::contains).toList();
  }
}
