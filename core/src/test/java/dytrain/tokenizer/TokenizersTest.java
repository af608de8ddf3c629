package dytrain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
  @TempDir Path dir;

  @Test
  void gpt2MatchesKnownR50kIds() {
    Tokenizer gpt2 = Tokenizers.load("gpt2");
    // ids published for GPT-2 ("Hello world" -> [15496, 995])
    assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
    assertEquals(50257, gpt2.vocabSize());
    assertEquals(50256, gpt2.eosId());
  }

  @Test
  void cl100kMatchesKnownIds() {
    Tokenizer cl100k = Tokenizers.load("cl100k_base");
    assertArrayEquals(new int[] {15339, 1917}, cl100k.encode("hello world"));
    assertEquals(100257, cl100k.eosId());
  }

  @Test
  void o200kRoundTripsNonAscii() {
    Tokenizer o200k = Tokenizers.load("o200k_base");
    String text = "naïve café 中文 🎉";
    assertEquals(text, o200k.decode(o200k.encode(text)));
    assertEquals(200019, o200k.vocabSize());
  }

  @Test
  void tiktokenTreatsSpelledSpecialTokenAsText() {
    Tokenizer gpt2 = Tokenizers.load("gpt2");
    int[] ids = gpt2.encode("end <|endoftext|> here");
    assertTrue(Arrays.stream(ids).noneMatch(id -> id == 50256));
    assertEquals("end <|endoftext|> here", gpt2.decode(ids));
  }

  @Test
  void byteTokenizerIdsAreUtf8Bytes() {
    Tokenizer bytes = Tokenizers.load("byte");
    assertArrayEquals(new int[] {0x68, 0xc3, 0xa9}, bytes.encode("hé"));
    assertEquals("", bytes.decode(bytes.encode("")));
    assertEquals("中文 🎉", bytes.decode(bytes.encode("中文 🎉")));
    assertEquals(258, bytes.vocabSize());
  }

  @Test
  void unknownSpecNamesTheChoices() {
    DytrainException e = assertThrows(DytrainException.class, () -> Tokenizers.load("gpt5"));
    assertTrue(e.getMessage().contains("gpt5") && e.getMessage().contains("cl100k_base"), e.getMessage());
  }

  @Test
  void malformedJsonNamesFileAndLine() throws Exception {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\n  \"model\": {\n    \"type\": \"BPE\",,\n  }\n}");
    DytrainException e = assertThrows(DytrainException.class, () -> Tokenizers.load(file.toString()));
    assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("line 3"), e.getMessage());
  }

  @Test
  void nonBpeModelIsRefused() throws Exception {
    Path file = dir.resolve("wordpiece.json");
    Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
    DytrainException e = assertThrows(DytrainException.class, () -> Tokenizers.load(file.toString()));
    assertTrue(e.getMessage().contains("model.type must be \"BPE\""), e.getMessage());
  }

  @Test
  void tokenizerWithoutEndOfTextIsRefused() throws Exception {
    Path file = dir.resolve("noeos.json");
    Files.writeString(
        file,
        "{\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false},"
            + " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"added_tokens\": []}");
    DytrainException e = assertThrows(DytrainException.class, () -> Tokenizers.load(file.toString()));
    assertTrue(e.getMessage().contains("no end-of-text token"), e.getMessage());
  }

  @Test
  void mergeUsingUnknownSymbolIsRefused() throws Exception {
    Path file = dir.resolve("badmerge.json");
    Files.writeString(
        file,
        "{\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false},"
            + " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]},"
            + " \"added_tokens\": [{\"id\": 1, \"content\": \"<|endoftext|>\"}]}");
    DytrainException e = assertThrows(DytrainException.class, () -> Tokenizers.load(file.toString()));
    assertTrue(e.getMessage().contains("badmerge.json") && e.getMessage().contains("merge 1"), e.getMessage());
  }

  @Test
  void canDecodeIsExactlyWhatDecodeTakes() {
    for (String spec : new String[] {"gpt2", "cl100k_base", "o200k_base"}) {
      Tokenizer t = Tokenizers.load(spec);
      for (int id = 0; id < t.vocabSize(); id += id < 1000 || id > t.vocabSize() - 300 ? 1 : 97) {
        boolean decodes;
        try {
          t.decode(new int[] {id});
          decodes = true;
        } catch (RuntimeException e) {
          decodes = false;
        }
        if (t.canDecode(id)) assertTrue(decodes, spec + " id " + id + " is said to decode but does not");
      }
      assertTrue(t.canDecode(t.eosId()) && !t.canDecode(t.vocabSize()) && !t.canDecode(-1), spec);
    }
    assertTrue(!Tokenizers.load("cl100k_base").canDecode(100256) && !Tokenizers.load("o200k_base").canDecode(199998));
  }
}
