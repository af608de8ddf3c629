package dytrain.model;

import dytrain.config.ModelConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.math3.special.Erf;

/**
 * A plain-Java, double-precision LLaMA forward written straight from docs/ARCHITECTURE.md, loop by loop, sharing no
 * code with the DJL model: the independent computation the model's (and the diagnosis's) tests compare against.
 */
public final class ReferenceLlama {

  private final ModelConfig c;
  private final Map<String, float[]> p;
  /** Where {@link #normInputs} collects each norm's input during a forward pass; null otherwise. */
  private Map<String, double[][]> seenNormInputs;

  public ReferenceLlama(ModelConfig config, Map<String, float[]> params) {
    this.c = config;
    this.p = params;
  }

  /** Each norm layer's input [token][channel] in one forward pass over {@code tokens}, by tensor name prefix. */
  public Map<String, double[][]> normInputs(int[] tokens) {
    seenNormInputs = new LinkedHashMap<>();
    try {
      forward(tokens);
      return seenNormInputs;
    } finally {
      seenNormInputs = null;
    }
  }

  /** logits[t][v] for one sequence. */
  double[][] forward(int[] tokens) {
    int d = c.hiddenSize();
    int n = tokens.length;
    double[][] h = new double[n][d];
    float[] emb = p.get("model.embed_tokens.weight");
    double scale = c.normType().isDynamic() ? p.get("model.embed_scale")[0] : 1.0;
    for (int t = 0; t < n; t++) {
      for (int i = 0; i < d; i++) {
        h[t][i] = emb[tokens[t] * d + i] * scale;
      }
    }
    for (int l = 0; l < c.numLayers(); l++) {
      String pre = "model.layers." + l;
      double[][] a = attention(norm(h, pre + ".input_layernorm"), pre + ".self_attn");
      add(h, a);
      double[][] m = mlp(norm(h, pre + ".post_attention_layernorm"), pre + ".mlp");
      add(h, m);
    }
    String head = c.tieEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    return linear(norm(h, "model.norm"), p.get(head), c.vocabSize(), d);
  }

  /** Mean next-token NLL and the per-position values. */
  double[] nll(int[] inputs, int[] targets) {
    double[][] logits = forward(inputs);
    double[] out = new double[inputs.length];
    for (int t = 0; t < inputs.length; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : logits[t]) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : logits[t]) {
        sum += Math.exp(v - max);
      }
      out[t] = max + Math.log(sum) - logits[t][targets[t]];
    }
    return out;
  }

  double[][] norm(double[][] x, String name) {
    if (seenNormInputs != null) {
      seenNormInputs.put(name, Arrays.stream(x).map(double[]::clone).toArray(double[][]::new)); // h changes in place later
    }
    int d = c.hiddenSize();
    float[] w = p.get(name + ".weight");
    float[] b = p.get(name + ".bias");
    double[][] y = new double[x.length][d];
    for (int t = 0; t < x.length; t++) {
      double mean = 0;
      double sq = 0;
      for (double v : x[t]) {
        mean += v / d;
        sq += v * v / d;
      }
      double var = sq - mean * mean;
      for (int i = 0; i < d; i++) {
        double v = x[t][i];
        y[t][i] = switch (c.normType()) {
          case RMSNORM -> w[i] * v / Math.sqrt(sq + c.normEps());
          case LAYERNORM -> w[i] * (v - mean) / Math.sqrt(var + c.normEps()) + b[i];
          case DYT -> w[i] * Math.tanh(p.get(name + ".alpha")[0] * v) + (b == null ? 0 : b[i]);
          case DERF -> w[i] * Erf.erf(p.get(name + ".alpha")[0] * v + p.get(name + ".shift")[0])
              + (b == null ? 0 : b[i]);
        };
      }
    }
    return y;
  }

  double[][] attention(double[][] x, String pre) {
    int n = x.length;
    int hd = c.headDim();
    int heads = c.numHeads();
    int kv = c.numKvHeads();
    int d = c.hiddenSize();
    double[][] q = linear(x, p.get(pre + ".q_proj.weight"), heads * hd, d);
    double[][] k = linear(x, p.get(pre + ".k_proj.weight"), kv * hd, d);
    double[][] v = linear(x, p.get(pre + ".v_proj.weight"), kv * hd, d);
    for (int t = 0; t < n; t++) {
      rope(q[t], heads, t);
      rope(k[t], kv, t);
    }
    double[][] y = new double[n][heads * hd];
    for (int h = 0; h < heads; h++) {
      int g = h / (heads / kv);
      for (int t = 0; t < n; t++) {
        double[] s = new double[t + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int u = 0; u <= t; u++) {
          for (int i = 0; i < hd; i++) {
            s[u] += q[t][h * hd + i] * k[u][g * hd + i];
          }
          s[u] /= Math.sqrt(hd);
          max = Math.max(max, s[u]);
        }
        double z = 0;
        for (int u = 0; u <= t; u++) {
          s[u] = Math.exp(s[u] - max);
          z += s[u];
        }
        for (int u = 0; u <= t; u++) {
          for (int i = 0; i < hd; i++) {
            y[t][h * hd + i] += s[u] / z * v[u][g * hd + i];
          }
        }
      }
    }
    return linear(y, p.get(pre + ".o_proj.weight"), d, heads * hd);
  }

  /** Rotates pairs (i, i + hd/2) of each head by angle t / theta^(2i/hd) (HF rotate_half layout). */
  void rope(double[] vec, int heads, int t) {
    int hd = c.headDim();
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < hd / 2; i++) {
        double angle = t / Math.pow(c.ropeTheta(), 2.0 * i / hd);
        int a = h * hd + i;
        int b = a + hd / 2;
        double x1 = vec[a];
        double x2 = vec[b];
        vec[a] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
        vec[b] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
      }
    }
  }

  double[][] mlp(double[][] x, String pre) {
    int d = c.hiddenSize();
    int f = c.intermediateSize();
    double[][] g = linear(x, p.get(pre + ".gate_proj.weight"), f, d);
    double[][] u = linear(x, p.get(pre + ".up_proj.weight"), f, d);
    for (int t = 0; t < x.length; t++) {
      for (int i = 0; i < f; i++) {
        g[t][i] = g[t][i] / (1 + Math.exp(-g[t][i])) * u[t][i];
      }
    }
    return linear(g, p.get(pre + ".down_proj.weight"), d, f);
  }

  /** y = x W^T with W [out, in] row-major, as torch.nn.Linear stores it. */
  static double[][] linear(double[][] x, float[] w, int out, int in) {
    double[][] y = new double[x.length][out];
    for (int t = 0; t < x.length; t++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int i = 0; i < in; i++) {
          s += x[t][i] * w[o * in + i];
        }
        y[t][o] = s;
      }
    }
    return y;
  }

  static void add(double[][] h, double[][] delta) {
    for (int t = 0; t < h.length; t++) {
      for (int i = 0; i < h[t].length; i++) {
        h[t][i] += delta[t][i];
      }
    }
  }
}
