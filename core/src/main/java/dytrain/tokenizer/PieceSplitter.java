package dytrain.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts text into the pieces a tiktoken encoding encodes one by one (its split pattern's matches). The
 * gpt2 and cl100k splitters are hand-written scanners of their patterns: java.util.regex took a third of
 * jtokkit's r50k time, and jtokkit itself splits cl100k with a scanner; o200k's pattern runs as a regex.
 */
interface PieceSplitter {
  /** Receives each piece as a range of the text. */
  interface Sink {
    void piece(int start, int end);
  }

  void split(String text, Sink sink);

  static PieceSplitter regex(String pattern) {
    Pattern compiled = Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS); // jtokkit's flags
    return (text, sink) -> {
      for (Matcher m = compiled.matcher(text); m.find(); ) sink.piece(m.start(), m.end());
    };
  }

  /** r50k (gpt2): {@code '(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
  PieceSplitter R50K = scanning(PieceSplitter::r50kPieceEnd);

  /**
   * cl100k: {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|}
   * {@code \s*[\r\n]+|\s+(?!\S)|\s+}.
   */
  PieceSplitter CL100K = scanning(PieceSplitter::cl100kPieceEnd);

  /** Where the piece that starts at {@code i} ends. */
  interface PieceEnd {
    int at(String text, int i, int n);
  }

  private static PieceSplitter scanning(PieceEnd pieceEnd) {
    return (text, sink) -> {
      int n = text.length();
      for (int i = 0; i < n; ) {
        int end = pieceEnd.at(text, i, n);
        sink.piece(i, end);
        i = end;
      }
    };
  }

  private static int r50kPieceEnd(String text, int i, int n) {
    int c0 = text.codePointAt(i);
    int next = i + Character.charCount(c0);
    int c1 = next < n ? text.codePointAt(next) : -1;
    if (c0 == '\'') {
      if (c1 == 's' || c1 == 'd' || c1 == 'm' || c1 == 't') return i + 2;
      if (next + 1 < n) {
        char c2 = text.charAt(next + 1);
        if ((c1 == 'l' && c2 == 'l') || (c1 == 'v' && c2 == 'e') || (c1 == 'r' && c2 == 'e')) return i + 3;
      }
    }
    int from = c0 == ' ' && c1 >= 0 && Chars.kind(c1) != Chars.SPACE ? next : i; // the optional leading space
    int kind = Chars.kind(from == i ? c0 : c1);
    return kind == Chars.SPACE ? whitespaceEnd(i, Chars.skip(text, i, n, Chars.SPACE), n) : Chars.skip(text, from, n, kind);
  }

  private static int cl100kPieceEnd(String text, int i, int n) {
    int c0 = text.codePointAt(i);
    int next = i + Character.charCount(c0);
    int c1 = next < n ? text.codePointAt(next) : -1;
    if (c0 == '\'' && c1 >= 0) {
      if (Chars.foldsTo(c1, 's') || Chars.foldsTo(c1, 't') || Chars.foldsTo(c1, 'm') || Chars.foldsTo(c1, 'd')) {
        return next + Character.charCount(c1);
      }
      int third = next + Character.charCount(c1);
      if (third < n) {
        int c2 = text.codePointAt(third);
        if ((Chars.foldsTo(c1, 'r') && Chars.foldsTo(c2, 'e')) || (Chars.foldsTo(c1, 'v') && Chars.foldsTo(c2, 'e'))
            || (Chars.foldsTo(c1, 'l') && Chars.foldsTo(c2, 'l'))) {
          return third + Character.charCount(c2);
        }
      }
    }
    int k0 = Chars.kind(c0);
    int k1 = c1 >= 0 ? Chars.kind(c1) : -1;
    if (k0 == Chars.LETTER) return Chars.skip(text, i, n, Chars.LETTER);
    if (c0 != '\r' && c0 != '\n' && k0 != Chars.NUMBER && k1 == Chars.LETTER) return Chars.skip(text, next, n, Chars.LETTER);
    if (k0 == Chars.NUMBER) return Chars.skipNumbers(text, i, n, 3);
    boolean spaceThenOther = c0 == ' ' && k1 == Chars.OTHER;
    if (spaceThenOther || k0 == Chars.OTHER) {
      int end = Chars.skip(text, spaceThenOther ? next : i, n, Chars.OTHER);
      while (end < n && (text.charAt(end) == '\r' || text.charAt(end) == '\n')) end++;
      return end;
    }
    // \s*[\r\n]+ : a whitespace run ending at its last newline, if it holds one
    int run = Chars.skip(text, i, n, Chars.SPACE);
    for (int j = run - 1; j >= i; j--) {
      if (text.charAt(j) == '\r' || text.charAt(j) == '\n') return j + 1;
    }
    return whitespaceEnd(i, run, n);
  }

  /**
   * {@code \s+(?!\S)|\s+} for the whitespace run [i, run): all of it at the end of the text or when it is
   * one character, else all but its last (every White_Space character is one char: all lie in the BMP).
   */
  private static int whitespaceEnd(int i, int run, int n) {
    return run == n || run - 1 == i ? run : run - 1;
  }

  /** The character classes of the patterns, as java.util.regex defines them under UNICODE_CHARACTER_CLASS. */
  final class Chars {
    static final int LETTER = 0; // \p{L}
    static final int NUMBER = 1; // \p{N}
    static final int SPACE = 2; // \s: Unicode White_Space
    static final int OTHER = 3; // [^\s\p{L}\p{N}]

    private Chars() {}

    static int kind(int c) {
      if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return LETTER;
        if (c >= '0' && c <= '9') return NUMBER;
        return c == ' ' || (c >= '\t' && c <= '\r') ? SPACE : OTHER;
      }
      if (c == 0x85) return SPACE;
      return switch (Character.getType(c)) {
        case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
            Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
        case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
        case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SPACE;
        default -> OTHER;
      };
    }

    /** Case-insensitive equality with an ASCII letter, as the regex's {@code (?i)} with Unicode case has it. */
    static boolean foldsTo(int c, char lower) {
      return c == lower || Character.toLowerCase(Character.toUpperCase(c)) == lower;
    }

    /** The end of the run of characters of {@code kind} from {@code i}. */
    static int skip(String text, int i, int n, int kind) {
      while (i < n) {
        int c = text.codePointAt(i);
        if (kind(c) != kind) break;
        i += Character.charCount(c);
      }
      return i;
    }

    /** The end of the run of at most {@code most} numbers from {@code i} (cl100k cuts digits in threes). */
    static int skipNumbers(String text, int i, int n, int most) {
      int end = i;
      for (int count = 0; end < n && count < most; count++) {
        int c = text.codePointAt(end);
        if (kind(c) != NUMBER) break;
        end += Character.charCount(c);
      }
      return end;
    }
  }
}
