package dytrain.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words BPE merges never cross: the GPT-2 pattern that Hugging Face's ByteLevel
 * pre-tokenizer uses ({@code use_regex: true}). UNICODE_CHARACTER_CLASS makes {@code \s} mean Unicode
 * White_Space, as in the Oniguruma engine Hugging Face runs it with. Both the trainer and the encoder
 * split with this class so a learned vocabulary matches how it is applied.
 */
public final class ByteLevelPreTokenizer {
  private static final Pattern GPT2 =
      Pattern.compile(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
          Pattern.UNICODE_CHARACTER_CLASS);

  private ByteLevelPreTokenizer() {}

  public static List<String> split(String text) {
    List<String> words = new ArrayList<>();
    Matcher m = GPT2.matcher(text);
    int end = 0;
    while (m.find()) {
      if (m.start() > end) {
        words.add(text.substring(end, m.start())); // unreachable with this pattern; kept as HF does
      }
      words.add(m.group());
      end = m.end();
    }
    if (end < text.length()) {
      words.add(text.substring(end));
    }
    return words;
  }
}
