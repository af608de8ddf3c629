package dytrain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PieceCachingEncoderTest {
  /** Characters that exercise every branch of the split patterns: letters of each case and script,
   *  marks, digits, contractions, whitespace kinds, punctuation runs with newlines and slashes, emoji. */
  private static final String[] ATOMS = {
    "a", "Z", "the", " The", "é", "É", "ß", "中", "文", "\u0301", "7", "42", "١٢٣", "2026", "'s", "'S", "'ll", "'VE",
    "'", " ", "  ", "\t", "\n", "\r\n", "\n\n", "\u00a0", "\u2003", "\u3000", ".", ",", "!?", "--", "/", "...\n",
    "🎉", "😀😀", "<|endoftext|>", "x", "Hello", "world", " world", "don't", "WE'RE", "$", "¿", "ǅ",
    "ſ", "'ſ", "'Ll", "'lL", "'D", "'M", "\u0085", "\u000b", "\u2028", "\r", "  \n ", "1234567", "½", "Ⅻ", "\t\n \t",
  };

  @ParameterizedTest
  @EnumSource(TiktokenTokenizer.Vocabulary.class)
  void idsEqualJtokkitOnRandomText(TiktokenTokenizer.Vocabulary vocabulary) {
    TiktokenTokenizer tokenizer = new TiktokenTokenizer(vocabulary);
    Random random = new Random(11);
    int cached = 0;
    for (int i = 0; i < 4000; i++) {
      StringBuilder text = new StringBuilder();
      int atoms = random.nextInt(40);
      for (int a = 0; a < atoms; a++) text.append(ATOMS[random.nextInt(ATOMS.length)]);
      String s = text.toString();
      int[] expected = tokenizer.encoding().encodeOrdinary(s).toArray();
      assertArrayEquals(expected, tokenizer.encode(s), () -> "text: " + s.replace("\n", "\\n").replace("\r", "\\r"));
      cached += expected.length;
    }
    assertTrue(cached > 10_000, "the texts must be long enough to reuse cached pieces: " + cached);
  }

  @ParameterizedTest
  @EnumSource(TiktokenTokenizer.Vocabulary.class)
  void longPiecesAndEmptyTextAreEncodedToo(TiktokenTokenizer.Vocabulary vocabulary) {
    TiktokenTokenizer tokenizer = new TiktokenTokenizer(vocabulary);
    String[] texts = {"", " ", "a".repeat(5000), " ".repeat(300) + "x", "1".repeat(100), "🎉".repeat(50)};
    for (String s : texts) {
      assertArrayEquals(tokenizer.encoding().encodeOrdinary(s).toArray(), tokenizer.encode(s), () -> "length " + s.length());
    }
  }

  @ParameterizedTest
  @EnumSource(TiktokenTokenizer.Vocabulary.class)
  void moreDistinctPiecesThanTheCacheHoldsStillEncodeExactly(TiktokenTokenizer.Vocabulary vocabulary) {
    TiktokenTokenizer tokenizer = new TiktokenTokenizer(vocabulary);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 100_000; i++) text.append(" q").append(Integer.toString(i * 7919, 26).replaceAll("[0-9]", "z"));
    String s = text.toString();
    int[] expected = tokenizer.encoding().encodeOrdinary(s).toArray();
    assertArrayEquals(expected, tokenizer.encode(s), "first pass fills and restarts the cache");
    assertArrayEquals(expected, tokenizer.encode(s), "second pass reads what the restarted cache kept");
  }

  private static final String COMMON = " \t\n\r'sSlLdDvVeErRmMtT0123456789.,";

  /** Random code points of every plane in use (no lone surrogates: jtokkit asserts valid UTF-8). */
  @ParameterizedTest
  @EnumSource(TiktokenTokenizer.Vocabulary.class)
  void idsEqualJtokkitOnRandomCodePoints(TiktokenTokenizer.Vocabulary vocabulary) {
    TiktokenTokenizer tokenizer = new TiktokenTokenizer(vocabulary);
    Random random = new Random(5);
    for (int i = 0; i < 3000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(30);
      for (int c = 0; c < length; c++) {
        int cp = switch (random.nextInt(4)) {
          case 0 -> COMMON.charAt(random.nextInt(COMMON.length()));
          case 1 -> random.nextInt(0x250);
          case 2 -> random.nextInt(0x3400);
          default -> random.nextInt(0x20000);
        };
        if (Character.isSurrogate((char) cp) && cp < 0x10000) cp = 'x';
        text.appendCodePoint(cp);
      }
      String s = text.toString();
      assertArrayEquals(tokenizer.encoding().encodeOrdinary(s).toArray(), tokenizer.encode(s), () -> "code points: " + s.codePoints().boxed().toList());
    }
  }
}
