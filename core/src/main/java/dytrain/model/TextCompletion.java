package dytrain.model;

import dytrain.tokenizer.Tokenizer;
import java.util.Arrays;

/** The "generate" service: a prompt's continuation as text, sampled with {@link Generator}. */
public final class TextCompletion {
  private TextCompletion() {}

  /** How to sample: temperature 0 picks the likeliest token; top-k 0 samples among all. */
  public record Sampling(int maxNewTokens, double temperature, int topK, long seed) {}

  /** The decoded continuation; an empty prompt starts a new document (after an EOS). */
  public static String complete(Llama llama, Tokenizer tokenizer, String prompt, Sampling sampling) {
    int[] ids = prompt.isEmpty() ? new int[] {tokenizer.eosId()} : tokenizer.encode(prompt);
    int[] out = new Generator(llama, sampling.seed()).continueFrom(ids, sampling.maxNewTokens(),
        sampling.temperature(), sampling.topK(), tokenizer.eosId(), tokenizer::canDecode);
    if (out.length > 0 && out[out.length - 1] == tokenizer.eosId()) {
      out = Arrays.copyOf(out, out.length - 1);
    }
    return tokenizer.decode(out);
  }
}
