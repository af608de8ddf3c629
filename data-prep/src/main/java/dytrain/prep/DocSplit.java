package dytrain.prep;

import dytrain.config.DytrainException;

/** How plain text is cut into documents ({@code --doc-split}). */
public enum DocSplit {
  /** Each file is one document. */
  FILE,
  /** Documents are separated by one or more blank lines (paragraphs, chapters). */
  BLANKLINE,
  /** Each non-blank line is one document. */
  LINE;

  public static DocSplit parse(String flag) {
    for (DocSplit s : values()) {
      if (s.name().equalsIgnoreCase(flag)) return s;
    }
    throw new DytrainException("--doc-split " + flag + " is not one of file, blankline, line");
  }
}
