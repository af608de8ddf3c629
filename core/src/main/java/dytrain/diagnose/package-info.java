/**
 * What the norm layers of a trained model do, measured as the DyT paper measures it ("Transformers without
 * Normalization", Zhu et al. 2025): each layer's input against its output on a sample of validation tokens
 * (the S-curve of its Figures 2 and 4), the std of its input, its alpha, and, over a run's checkpoints,
 * alpha against 1/std (its Figure 8). {@link dytrain.diagnose.ModelSnapshots} is the service the
 * {@code dytrain diagnose} command calls; the model is observed through {@link dytrain.model.NormProbe}.
 */
package dytrain.diagnose;
