package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Rotary position embedding in the Hugging Face {@code rotate_half} convention: channel i is paired with
 * channel i + d/2 (not with its neighbour, as in the original RoFormer/Meta layout), so exported weights
 * load unchanged in LlamaForCausalLM.
 */
public final class Rope {

  private final int headDim;
  private final float[] cos;
  private final float[] sin;

  public Rope(int headDim, int maxSeqLen, double theta) {
    this.headDim = headDim;
    this.cos = new float[maxSeqLen * headDim];
    this.sin = new float[maxSeqLen * headDim];
    int half = headDim / 2;
    for (int t = 0; t < maxSeqLen; t++) {
      for (int i = 0; i < half; i++) {
        double angle = t / Math.pow(theta, 2.0 * i / headDim);
        for (int j : new int[] {i, i + half}) {
          cos[t * headDim + j] = (float) Math.cos(angle);
          sin[t * headDim + j] = (float) Math.sin(angle);
        }
      }
    }
  }

  /**
   * The cos and sin tables [T, headDim] of positions 0..T-1, fp32, for the attention kernel: it computes
   * {@code x cos + rotate_half(x) sin}, what {@link #apply} computes here in Java.
   */
  public NDArray[] tables(NDManager manager, int t) {
    checkLength(t);
    Shape table = new Shape(t, headDim);
    return new NDArray[] {
        Tensors.of(manager, Arrays.copyOf(cos, t * headDim), table),
        Tensors.of(manager, Arrays.copyOf(sin, t * headDim), table)};
  }

  /** Rotates queries or keys of shape [batch, heads, T, headDim] by their positions 0..T-1 (tests, reading). */
  public NDArray apply(NDArray x) {
    int t = Math.toIntExact(x.getShape().get(2));
    NDArray[] cs = tables(x.getManager(), t);
    return x.mul(cs[0].toType(x.getDataType(), false)).add(rotateHalf(x).mul(cs[1].toType(x.getDataType(), false)));
  }

  private void checkLength(int t) {
    if ((long) t * headDim > cos.length) {
      throw new IllegalArgumentException(
          "sequence of " + t + " tokens exceeds model.max_seq_len = " + cos.length / headDim);
    }
  }

  /** [x1, x2] -> [-x2, x1] over the last axis (split, not NDIndex slicing: see the note in Tensors). */
  private NDArray rotateHalf(NDArray x) {
    NDList halves = x.split(2, x.getShape().dimension() - 1);
    return NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), x.getShape().dimension() - 1);
  }
}
