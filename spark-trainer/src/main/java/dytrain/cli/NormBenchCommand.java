package dytrain.cli;

import dytrain.bench.NormBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "norms", description = "DyT, Derf, RMSNorm and LayerNorm layer latency, forward and forward+backward.")
final class NormBenchCommand implements Runnable {
  @Option(names = "--tokens", defaultValue = "4096") int tokens;
  @Option(names = "--hidden", defaultValue = "4096") int hidden;
  @Option(names = "--runs", defaultValue = "100") int runs;

  @Override
  public void run() {
    NormBenchmark.run(tokens, hidden, runs, System.out);
  }
}
