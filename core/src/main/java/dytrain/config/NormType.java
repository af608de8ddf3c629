package dytrain.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The norm layer used in place of every RMSNorm (ARCHITECTURE.md, "The model"). */
public enum NormType {
  RMSNORM,
  LAYERNORM,
  DYT,
  DERF;

  /** Whether the model scales its embeddings by a learnable {@code embed_scale} (DyT paper, LLaMA appendix). */
  public boolean isDynamic() {
    return this == DYT || this == DERF;
  }

  @JsonValue
  public String key() {
    return name().toLowerCase();
  }

  @JsonCreator
  public static NormType parse(String value) {
    for (NormType t : values()) {
      if (t.key().equals(value)) {
        return t;
      }
    }
    throw new DytrainException(
        "model.norm_type = '" + value + "' is not a norm type; allowed: " + allowed());
  }

  public static String allowed() {
    return Arrays.stream(values()).map(NormType::key).collect(Collectors.joining(", "));
  }
}
