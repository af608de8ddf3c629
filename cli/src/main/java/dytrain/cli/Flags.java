package dytrain.cli;

import dytrain.config.DytrainException;

/** Range checks of command-line numbers: a number out of range is a user error that names its flag. */
final class Flags {
  private Flags() {}

  static int atLeast(String flag, int value, int min) {
    if (value < min) {
      throw new DytrainException(flag + " = " + value + " must be at least " + min);
    }
    return value;
  }

  static int positive(String flag, int value) {
    return atLeast(flag, value, 1);
  }

  static double positive(String flag, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new DytrainException(flag + " = " + value + " must be a positive number");
    }
    return value;
  }

  /** A finite number at least {@code min}; NaN fails too. */
  static double atLeast(String flag, double value, double min, String meaning) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new DytrainException(flag + " = " + value + " must be " + meaning);
    }
    return value;
  }
}
