package dytrain.prep;

import dytrain.config.DytrainException;

/**
 * Bad and repaired records of one input. A bad record stops the job with the file and line
 * ({@code --on-bad-record fail}) or is skipped and counted ({@code skip}); invalid UTF-8 is replaced by
 * U+FFFD and counted. Either way the manifest says how many, so nothing is dropped silently.
 */
final class RecordCounts {
  private final String input;
  private final BadRecordPolicy policy;
  long skipped;
  long invalidUtf8;

  RecordCounts(String input, BadRecordPolicy policy) {
    this.input = input;
    this.policy = policy;
  }

  void bad(String where, String what) {
    if (policy == BadRecordPolicy.FAIL) {
      throw new DytrainException(
          "input " + input + " " + where + ": " + what + " (use --on-bad-record skip to skip and count such records)");
    }
    skipped++;
  }
}
