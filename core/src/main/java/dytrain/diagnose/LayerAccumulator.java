package dytrain.diagnose;

import ai.djl.ndarray.NDArray;
import dytrain.config.NormType;
import dytrain.model.norm.DynamicErf;
import dytrain.model.norm.DynamicTanh;
import dytrain.model.norm.LayerNorm;
import dytrain.model.norm.Norm;
import dytrain.model.norm.RmsNorm;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * One norm layer's statistics, gathered batch by batch as the probe hands over its input and output, in
 * doubles: the input's mean and std (Chan et al.'s pairwise update, stable over millions of elements), the
 * per-token scale, the squashing count and the sampled points.
 */
final class LayerAccumulator {

  private final String layer;
  private final long[] pointPositions;
  private final float[] pointInputs;
  private final float[] pointOutputs;
  private int nextPoint;
  private long elements;
  private double mean;
  private double squaredDeviations;
  private long tokens;
  private double tokenScaleSum;
  private long squashed;
  private NormParameters params;

  /** The norm's parameters as doubles, read once: they do not change during a diagnosis. */
  private record NormParameters(NormType type, double alpha, double shift, double eps, float[] weight, float[] bias) {
    static NormParameters of(Norm norm) {
      if (norm instanceof DynamicTanh t) {
        return new NormParameters(NormType.DYT, t.alpha().getFloat(), 0, 0, t.weight().toFloatArray(), floats(t.bias()));
      }
      if (norm instanceof DynamicErf e) {
        return new NormParameters(NormType.DERF, e.alpha().getFloat(), e.shift().getFloat(), 0, e.weight().toFloatArray(),
            floats(e.bias()));
      }
      if (norm instanceof RmsNorm r) {
        return new NormParameters(NormType.RMSNORM, Double.NaN, 0, r.eps(), r.weight().toFloatArray(), null);
      }
      LayerNorm l = (LayerNorm) norm;
      return new NormParameters(NormType.LAYERNORM, Double.NaN, 0, l.eps(), l.weight().toFloatArray(), l.bias().toFloatArray());
    }

    private static float[] floats(NDArray bias) {
      return bias == null ? null : bias.toFloatArray();
    }
  }

  /** @param pointPositions sorted positions (token x width + channel) of the elements to keep as points */
  LayerAccumulator(String layer, long[] pointPositions) {
    this.layer = layer;
    this.pointPositions = pointPositions;
    this.pointInputs = new float[pointPositions.length];
    this.pointOutputs = new float[pointPositions.length];
  }

  /** Adds a batch: {@code x} and {@code y} hold whole tokens of {@code width} elements each. */
  void add(Norm norm, float[] x, float[] y) {
    if (params == null) {
      params = NormParameters.of(norm);
    }
    int width = params.weight().length;
    for (int row = 0; row * width < x.length; row++) {
      addToken(x, y, row * width, width);
    }
  }

  private void addToken(float[] x, float[] y, int from, int width) {
    double sum = 0;
    double sumOfSquares = 0;
    for (int i = from; i < from + width; i++) {
      sum += x[i];
      sumOfSquares += (double) x[i] * x[i];
    }
    double tokenMean = sum / width;
    double tokenDeviations = 0;
    for (int i = from; i < from + width; i++) {
      tokenDeviations += (x[i] - tokenMean) * (x[i] - tokenMean);
    }
    // the norm's own per-token scale and centre: 1/rms for rmsnorm, 1/std for layernorm, alpha for dyt/derf
    double centre = params.type() == NormType.LAYERNORM ? tokenMean : 0;
    double scale = switch (params.type()) {
      case RMSNORM -> 1 / Math.sqrt(sumOfSquares / width + params.eps());
      case LAYERNORM -> 1 / Math.sqrt(tokenDeviations / width + params.eps());
      case DYT, DERF -> params.alpha();
    };
    tokens++;
    tokenScaleSum += scale;
    for (int i = from; i < from + width; i++) {
      if (Math.abs((x[i] - centre) * scale + params.shift()) > 1) {
        squashed++;
      }
    }
    long tokenStart = elements; // the position of this token's first element
    double delta = tokenMean - mean;
    long total = elements + width;
    mean += delta * width / total;
    squaredDeviations += tokenDeviations + delta * delta * elements * width / total;
    elements = total;
    while (nextPoint < pointPositions.length && pointPositions[nextPoint] < tokenStart + width) {
      int i = from + (int) (pointPositions[nextPoint] - tokenStart);
      int channel = i - from;
      double bias = params.bias() == null ? 0 : params.bias()[channel];
      double weight = params.weight()[channel];
      pointInputs[nextPoint] = x[i];
      pointOutputs[nextPoint] = weight == 0 ? Float.NaN : (float) ((y[i] - bias) / weight);
      nextPoint++;
    }
  }

  LayerStatistics finish() {
    int kept = 0;
    float[] inputs = new float[nextPoint];
    float[] outputs = new float[nextPoint];
    for (int k = 0; k < nextPoint; k++) {
      if (Float.isFinite(pointInputs[k]) && Float.isFinite(pointOutputs[k])) {
        inputs[kept] = pointInputs[k];
        outputs[kept++] = pointOutputs[k];
      }
    }
    boolean learned = params.type() == NormType.DYT || params.type() == NormType.DERF;
    return new LayerStatistics(layer, params.type(), elements, mean, Math.sqrt(squaredDeviations / elements),
        learned ? params.alpha() : tokenScaleSum / tokens,
        params.type() == NormType.DERF ? OptionalDouble.of(params.shift()) : OptionalDouble.empty(),
        (double) squashed / elements, Arrays.copyOf(inputs, kept), Arrays.copyOf(outputs, kept));
  }
}
