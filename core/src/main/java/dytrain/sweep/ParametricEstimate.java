package dytrain.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The result of {@link ParametricFit}: the law, and for E, A, B, alpha, beta (in that order) their
 * bootstrap intervals (empty without bootstrap).
 *
 * @param objective the Huber loss at the best start, summed over the runs
 */
public record ParametricEstimate(ParametricLaw law, List<Interval> intervals, double confidence, int bootstrap,
    int points, double huberDelta, double objective) {

  static final List<String> NAMES = List.of("E", "A", "B", "alpha", "beta");
  private static final ObjectMapper JSON = new ObjectMapper();

  public ParametricEstimate {
    intervals = List.copyOf(intervals);
    if (!intervals.isEmpty() && intervals.size() != NAMES.size()) {
      throw new IllegalArgumentException("intervals are for " + NAMES + ", got " + intervals.size());
    }
  }

  /** The interval of one of E, A, B, alpha, beta. */
  public Interval interval(String name) {
    int k = NAMES.indexOf(name);
    if (k < 0 || intervals.isEmpty()) {
      throw new IllegalArgumentException("no interval for '" + name + "'; the fit has " + (intervals.isEmpty() ? "none" : NAMES));
    }
    return intervals.get(k);
  }

  /** One JSON object: {"E": .., "A": .., ..., "intervals": {"E": [lo, hi], ...}, "confidence": .., ...}. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    double[] values = law.values();
    for (int k = 0; k < NAMES.size(); k++) root.put(NAMES.get(k), values[k]);
    ObjectNode ci = root.putObject("intervals");
    for (int k = 0; k < intervals.size(); k++) {
      ArrayNode pair = ci.putArray(NAMES.get(k));
      pair.add(intervals.get(k).lo()).add(intervals.get(k).hi());
    }
    root.put("confidence", confidence);
    root.put("bootstrap", bootstrap);
    root.put("points", points);
    root.put("huber_delta", huberDelta);
    root.put("objective", objective);
    return root.toString();
  }
}
