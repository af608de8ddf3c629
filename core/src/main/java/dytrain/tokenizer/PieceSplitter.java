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
  PieceSplitter R50K = (text, sink) -> {
    int n = text.length();
    for (int i = 0; i < n; ) {
      int end = r50kPieceEnd(text, i, n);
      sink.piece(i, end);
      i = end;
    }
  };

  /**
   * cl100k: {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|}
   * {@code \s*[\r\n]+|\s+(?!\S)|\s+}.
   */
  PieceSplitter CL100K = (text, sink) -> {
    int n = text.length();
    for (int i = 0; i < n; ) {
      int end = cl100kPieceEnd(text, i, n);
      sink.piece(i, end);
      i = end;
    }
  };

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
    int from = c0 == ' ' && c1 >= 0 && !Chars.isSpace(c1) ? next : i; // the optional leading space
    int first = from == i ? c0 : c1;
    if (Chars.isLetter(first)) return Chars.skipLetters(text, from, n);
    if (Chars.isNumber(first)) return Chars.skipNumbers(text, from, n, Integer.MAX_VALUE);
    if (!Chars.isSpace(first)) return Chars.skipOthers(text, from, n);
    return whitespaceEnd(text, i, n);
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
    if (Chars.isLetter(c0)) return Chars.skipLetters(text, i, n);
    if (c0 != '\r' && c0 != '\n' && !Chars.isNumber(c0) && c1 >= 0 && Chars.isLetter(c1)) return Chars.skipLetters(text, next, n);
    if (Chars.isNumber(c0)) return Chars.skipNumbers(text, i, n, 3);
    boolean spaceThenOther = c0 == ' ' && c1 >= 0 && Chars.isOther(c1);
    if (spaceThenOther || Chars.isOther(c0)) {
      int end = Chars.skipOthers(text, spaceThenOther ? next : i, n);
      while (end < n && (text.charAt(end) == '\r' || text.charAt(end) == '\n')) end++;
      return end;
    }
    // \s*[\r\n]+ : a whitespace run ending at its last newline, if it holds one
    int lastNewline = -1;
    int end = i;
    while (end < n) {
      int c = text.codePointAt(end);
      if (!Chars.isSpace(c)) break;
      if (c == '\r' || c == '\n') lastNewline = end;
      end += Character.charCount(c);
    }
    return lastNewline >= 0 ? lastNewline + 1 : whitespaceEnd(text, i, n);
  }

  /** {@code \s+(?!\S)|\s+} at a whitespace character: the run, less its last character if text follows. */
  private static int whitespaceEnd(String text, int i, int n) {
    int end = i;
    int last = i;
    while (end < n) {
      int c = text.codePointAt(end);
      if (!Chars.isSpace(c)) break;
      last = end;
      end += Character.charCount(c);
    }
    return end == n || last == i ? end : last;
  }

  /** The character classes of the patterns, as java.util.regex defines them under UNICODE_CHARACTER_CLASS. */
  final class Chars {
    private Chars() {}

    static boolean isLetter(int c) {
      if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      return Character.isLetter(c);
    }

    static boolean isNumber(int c) {
      if (c < 0x80) return c >= '0' && c <= '9';
      int type = Character.getType(c);
      return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** Unicode White_Space, java.util.regex's {@code \s} under UNICODE_CHARACTER_CLASS. */
    static boolean isSpace(int c) {
      if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
      if (c == 0x85) return true;
      int type = Character.getType(c);
      return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    static boolean isOther(int c) {
      return !isSpace(c) && !isLetter(c) && !isNumber(c);
    }

    /** Case-insensitive equality with an ASCII letter, as the regex's {@code (?i)} with Unicode case has it. */
    static boolean foldsTo(int c, char lower) {
      return c == lower || Character.toLowerCase(Character.toUpperCase(c)) == lower;
    }

    static int skipLetters(String text, int i, int n) {
      while (i < n) {
        int c = text.codePointAt(i);
        if (!isLetter(c)) break;
        i += Character.charCount(c);
      }
      return i;
    }

    static int skipNumbers(String text, int i, int n, int most) {
      for (int count = 0; i < n && count < most; count++) {
        int c = text.codePointAt(i);
        if (!isNumber(c)) break;
        i += Character.charCount(c);
      }
      return i;
    }

    static int skipOthers(String text, int i, int n) {
      while (i < n) {
        int c = text.codePointAt(i);
        if (!isOther(c)) break;
        i += Character.charCount(c);
      }
      return i;
    }
  }
}
