package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.model.Alpha0Policy;
import java.math.BigDecimal;
import java.math.MathContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "alpha0", description = "Print the alpha0 the width policy gives (measured below 1024, the DyT paper's LLaMA tables from 1024).")
final class Alpha0Command implements Runnable {

  @Option(names = "--width", required = true, description = "hidden size")
  int width;

  @Override
  public void run() {
    if (width <= 0) {
      throw new DytrainException("--width = " + width + " must be a positive hidden size");
    }
    Alpha0Policy p = Alpha0Policy.forWidth(width);
    System.out.printf("width %d: attention %s, other %s%n", width, format(p.attention()), format(p.other()));
  }

  static String format(double v) {
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }
}
