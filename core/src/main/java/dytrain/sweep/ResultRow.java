package dytrain.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.model.ModelSize;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One (trial, budget) of a sweep's results table. N is counted by {@link ModelSize}: {@code params} is every
 * parameter, as Hoffmann et al. 2022 count it and the fits use; {@code paramsNonEmbedding} leaves out the
 * embedding and an untied head, as Kaplan et al. 2020 count (Porian et al. 2024 trace part of the two
 * papers' disagreement to this choice, which matters most for small models). {@code flops} is C =
 * training FLOPs per token (6 per matmul weight plus attention, as {@code info} prints) x tokens.
 *
 * @param tokens D: the tokens trained for this budget
 * @param loss the final validation loss: what the fits use
 * @param config the trial's resolved config, one entry per key path (null values left out), as text
 */
public record ResultRow(String trial, Status status, String error, long params, long paramsNonEmbedding, long tokens,
    double flops, Double loss, Double bestValLoss, Double trainLoss, double wallSeconds, SortedMap<String, String> config) {

  public enum Status {
    DONE, FAILED;

    public String key() {
      return name().toLowerCase();
    }

    public static Status parse(String text, String where) {
      for (Status s : values()) {
        if (s.key().equals(text)) return s;
      }
      throw new DytrainException(where + ": status '" + text + "' is unknown; allowed: done, failed");
    }
  }

  public ResultRow {
    if (trial == null || trial.isBlank()) throw new DytrainException("a result row needs its trial id");
    if (status == null) throw new DytrainException("result row of trial " + trial + " has no status");
    if (status == Status.FAILED && (error == null || error.isBlank())) {
      throw new DytrainException("result row of trial " + trial + " failed without an error message");
    }
    if (status == Status.DONE && loss == null) {
      throw new DytrainException("result row of trial " + trial + " is done but has no final validation loss");
    }
    if (params <= 0 || paramsNonEmbedding < 0 || tokens <= 0 || !(flops > 0)) {
      throw new DytrainException("result row of trial " + trial + ": params, tokens and flops must be positive");
    }
    error = error == null ? "" : error;
    config = Collections.unmodifiableSortedMap(new TreeMap<>(config));
  }

  /** A finished (trial, budget): the final and best validation loss, the final training loss. */
  public static ResultRow done(Trial trial, long tokens, double finalValLoss, double bestValLoss, double finalTrainLoss,
      double wallSeconds) {
    return of(trial, tokens, Status.DONE, "", finalValLoss, bestValLoss, finalTrainLoss, wallSeconds);
  }

  /** A (trial, budget) that failed after its last attempt; losses measured before the failure may be null. */
  public static ResultRow failed(Trial trial, long tokens, String error, Double bestValLoss, double wallSeconds) {
    return of(trial, tokens, Status.FAILED, error, null, bestValLoss, null, wallSeconds);
  }

  private static ResultRow of(Trial trial, long tokens, Status status, String error, Double loss, Double best,
      Double train, double wall) {
    DytrainConfig c = trial.config();
    ModelSize size = ModelSize.of(c.model());
    double flops = size.trainingFlopsPerToken(c.seqLen()) * tokens;
    return new ResultRow(trial.id(), status, error, size.total(), size.nonEmbedding(), tokens, flops, loss, best, train,
        wall, flatten(ConfigLoader.YAML.valueToTree(c), "", new TreeMap<>()));
  }

  /** The point this row gives a scaling-law fit, or null unless it is done. */
  public ScalingPoint point() {
    return status == Status.DONE ? new ScalingPoint(params, tokens, loss) : null;
  }

  private static SortedMap<String, String> flatten(JsonNode node, String prefix, SortedMap<String, String> out) {
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(v, prefix + e.getKey() + ".", out);
      } else if (!v.isNull()) {
        out.put(prefix + e.getKey(), v.isTextual() ? v.asText() : v.toString());
      }
    }
    return out;
  }
}
