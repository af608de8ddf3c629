package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetTokenizerTest {
  private static Map<String, byte[]> named(String name) {
    return Map.of(DatasetTokenizer.NAME_FILE, (name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void namedTokenizersMatchByTheirOneName() {
    assertTrue(new DatasetTokenizer("r50k_base", null).matches(named("gpt2")), "r50k_base is gpt2");
    assertTrue(new DatasetTokenizer("gpt2", null).matches(named("r50k_base")));
    assertFalse(new DatasetTokenizer("gpt2", null).matches(named("cl100k_base")));
    assertFalse(new DatasetTokenizer("gpt2", null).matches(Map.of(DatasetTokenizer.FILE, new byte[] {'{', '}'})));
  }

  @Test
  void tokenizerJsonMatchesByItsBytes() {
    byte[] json = "{\"model\": {}}".getBytes(StandardCharsets.UTF_8);
    var tokenizer = new DatasetTokenizer(DatasetTokenizer.FILE, json);
    assertTrue(tokenizer.matches(Map.of(DatasetTokenizer.FILE, json.clone())));
    assertFalse(tokenizer.matches(Map.of(DatasetTokenizer.FILE, "{}".getBytes(StandardCharsets.UTF_8))));
    assertFalse(tokenizer.matches(named("gpt2")));
    assertTrue(tokenizer.matches(Map.of()), "a model that recorded no tokenizer has nothing to compare");
  }
}
