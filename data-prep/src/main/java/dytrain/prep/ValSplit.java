package dytrain.prep;

/**
 * Which documents go to the validation split: a hash of (seed, doc id) below {@code --val-fraction}.
 * Per document, not per position, so the split does not depend on how the work was partitioned.
 */
final class ValSplit {
  private ValSplit() {}

  static boolean isVal(long seed, long docId, double fraction) {
    if (fraction <= 0) return false;
    long z = seed * 0x9E3779B97F4A7C15L + docId;
    // SplitMix64 finalizer (Steele et al. 2014): consecutive ids map to independent-looking values
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53 < fraction;
  }
}
