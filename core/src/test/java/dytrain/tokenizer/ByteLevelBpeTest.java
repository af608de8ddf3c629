package dytrain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteLevelBpeTest {
  static final String TRAINING_TEXT =
      """
      In the beginning God created the heaven and the earth. And the earth was without form, and void;
      and darkness was upon the face of the deep. I'll say it's what they've done, we're sure he'd go.
      Numbers 12345 and 2024-11-25, prices $3.50; e-mail: someone@example.org   (tabs\tand  spaces)
      Déjà vu: naïve café in São Paulo, Ελληνικά, русский текст, 中文字符测试, 日本語のテキスト, 🎉🚀 emoji!
      """;

  static final List<String> SAMPLES =
      List.of(
          "",
          "hello world",
          "In the beginning God created the heaven and the earth.",
          "  leading spaces and trailing   ",
          "line one\nline two\n\n\nthree\r\nfour",
          "don't won't I'm you're they'll she'd we've it's 'S 'T",
          "tabs\t\tand\t spaces \t mixed",
          "numbers 0 1 12 123 1234567890 3.14159 ¾ ٣",
          "Déjà vu: naïve café, São Paulo, Zürich, Ærøskøbing",
          "Ελληνικά και русский текст и 中文字符测试 日本語のテキスト 한국어",
          "emoji 🎉🚀👩‍👩‍👧 and flags 🇫🇷 outside the BMP 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
          "unicode spaces: a\u00a0b\u3000c\u2009d\u200be",
          "punctuation!!! ??? ... --- ((())) [[x]] {y} <z> @#$%^&*",
          "words never seen in training: xylophone quizzical juxtapose",
          "ends with newline\n");

  static ByteLevelBpe bpe;
  static Path tokenizerJson;
  @TempDir static Path dir;

  @BeforeAll
  static void learnAndSave() throws Exception {
    Map<String, Long> counts = new HashMap<>();
    for (String word : ByteLevelPreTokenizer.split(TRAINING_TEXT.repeat(3))) {
      counts.merge(word, 1L, Long::sum);
    }
    bpe = BpeLearner.learn(counts, 400, "bpe:test", merges -> {});
    tokenizerJson = dir.resolve("tokenizer.json");
    Tokenizers.save(bpe, tokenizerJson);
  }

  @Test
  void learnsRequestedVocabularyWithEndOfTextLast() {
    assertEquals(400, bpe.vocabSize());
    assertEquals(399, bpe.eosId());
    assertEquals(143, bpe.merges().size()); // 400 = 256 bytes + 143 merges + end-of-text
  }

  @Test
  void idsEqualHuggingFaceTokenizerOnSameFile() throws Exception {
    try (HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(tokenizerJson)
            .optAddSpecialTokens(false)
            .optTruncation(false)
            .optPadding(false)
            .build()) {
      for (String text : SAMPLES) {
        long[] expected = hf.encode(text).getIds();
        int[] ours = bpe.encode(text);
        assertArrayEquals(expected, Arrays.stream(ours).asLongStream().toArray(), "ids for: " + text);
      }
      // longer than DJL's default 512-token truncation: proves truncation is really off on both sides
      String longText = TRAINING_TEXT.repeat(20);
      assertTrue(bpe.encode(longText).length > 512);
      assertArrayEquals(
          hf.encode(longText).getIds(), Arrays.stream(bpe.encode(longText)).asLongStream().toArray());
    }
  }

  @Test
  void huggingFaceLoadsItsNativeLibraryOffline() throws Exception {
    assertEquals("true", System.getProperty("ai.djl.offline"), "surefire must run DJL offline");
    try (HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson).optTruncation(false).optPadding(false).build()) {
      assertTrue(hf.encode("hello").getIds().length > 0);
    }
  }

  @Test
  void decodeInvertsEncodeForSamplesAndRandomText() {
    for (String text : SAMPLES) {
      assertEquals(text, bpe.decode(bpe.encode(text)));
    }
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      StringBuilder s = new StringBuilder();
      int len = random.nextInt(40);
      while (s.length() < len) {
        int cp = random.nextInt(4) == 0 ? random.nextInt(0x1F600) : 0x20 + random.nextInt(0x60);
        if (Character.isValidCodePoint(cp) && !(cp >= 0xD800 && cp <= 0xDFFF)) s.appendCodePoint(cp);
      }
      assertEquals(s.toString(), bpe.decode(bpe.encode(s.toString())));
    }
  }

  @Test
  void emptyTextEncodesToNoTokens() {
    assertEquals(0, bpe.encode("").length);
    assertEquals("", bpe.decode(new int[0]));
  }

  @Test
  void specialTokenSpelledInTextIsOrdinaryText() {
    int[] ids = bpe.encode("a <|endoftext|> b");
    assertTrue(Arrays.stream(ids).noneMatch(id -> id == bpe.eosId()));
    assertEquals("a <|endoftext|> b", bpe.decode(ids));
  }

  @Test
  void savedFileReloadsToSameTokenizer() {
    Tokenizer reloaded = Tokenizers.load(tokenizerJson.toString());
    assertEquals(bpe.definitionHash(), reloaded.definitionHash());
    assertEquals(bpe.vocabSize(), reloaded.vocabSize());
    for (String text : SAMPLES) {
      assertArrayEquals(bpe.encode(text), reloaded.encode(text));
    }
  }

  @Test
  void mergesReduceTokenCountOnTrainingText() {
    int bytes = TRAINING_TEXT.getBytes(StandardCharsets.UTF_8).length;
    assertTrue(bpe.encode(TRAINING_TEXT).length < bytes / 2, "143 merges should at least halve the bytes");
  }

  @Test
  void learnedFileIsByteIdenticalOnRelearn() throws Exception {
    Map<String, Long> counts = new HashMap<>();
    for (String word : ByteLevelPreTokenizer.split(TRAINING_TEXT.repeat(3))) counts.merge(word, 1L, Long::sum);
    String again = HfTokenizerJson.write(BpeLearner.learn(counts, 400, "bpe:test", m -> {}));
    assertEquals(Files.readString(tokenizerJson), again);
  }
}
