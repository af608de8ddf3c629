package dytrain.prep;

import dytrain.config.DytrainException;

/** What to do with a record that cannot be read ({@code --on-bad-record}): stop, or skip and count it. */
public enum BadRecordPolicy {
  FAIL,
  SKIP;

  public static BadRecordPolicy parse(String flag) {
    for (BadRecordPolicy p : values()) {
      if (p.name().equalsIgnoreCase(flag)) return p;
    }
    throw new DytrainException("--on-bad-record " + flag + " is not one of fail, skip");
  }
}
