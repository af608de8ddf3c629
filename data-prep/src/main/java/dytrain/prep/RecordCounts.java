package dytrain.prep;

import dytrain.config.DytrainException;
import java.util.function.Supplier;

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

  /** {@code where} is asked only to fail: in a part of a large file, a line number costs a read of the file up to it. */
  void bad(Supplier<String> where, String what) {
    if (policy == BadRecordPolicy.FAIL) {
      throw new DytrainException("input " + input + " " + where.get() + ": " + what
          + " (use --on-bad-record skip to skip and count such records)");
    }
    skipped++;
  }
}
