package dytrain.model;

import ai.djl.ndarray.NDArray;
import dytrain.model.norm.Norm;

/**
 * Sees what each norm layer does in a forward pass: its input and output, as the DyT paper plots them
 * (Figures 2 and 4). How {@code dytrain.diagnose} looks inside a model without the model knowing why;
 * training and inference pass {@link #NONE}.
 */
@FunctionalInterface
public interface NormProbe {

  /** Looks at nothing. */
  NormProbe NONE = (layer, norm, input, output) -> {};

  /**
   * Called once per norm layer, in the order of the forward pass. The arrays belong to the pass: copy what
   * you keep.
   *
   * @param layer the norm's tensor name prefix: {@code model.layers.N.input_layernorm} (before attention),
   *     {@code model.layers.N.post_attention_layernorm} (before the MLP) or {@code model.norm} (the final one)
   */
  void observe(String layer, Norm norm, NDArray input, NDArray output);
}
