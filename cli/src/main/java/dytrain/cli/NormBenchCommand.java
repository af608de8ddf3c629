package dytrain.cli;

import ai.djl.ndarray.types.DataType;
import dytrain.bench.NormBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "norms", description = "DyT, Derf, RMSNorm and LayerNorm layer latency, forward and forward+backward.")
final class NormBenchCommand implements Runnable {
  @Option(names = "--tokens", defaultValue = "4096") int tokens;
  @Option(names = "--hidden", defaultValue = "4096") int hidden;
  @Option(names = "--runs", defaultValue = "100") int runs;
  @Option(names = "--dtype", defaultValue = "float32",
      description = "float32 (what dytrain trains in), float16 (16 bits, forward only) or bfloat16 (the paper's"
          + " precision: DyT vs RMSNorm, forward and forward+backward, through TorchScript kernels)")
  Precision dtype;

  enum Precision { // lower case: picocli matches and lists the constants' names as users type them
    float32(DataType.FLOAT32), float16(DataType.FLOAT16), bfloat16(DataType.BFLOAT16);

    final DataType type;

    Precision(DataType type) {
      this.type = type;
    }
  }

  @Override
  public void run() {
    Flags.positive("--tokens", tokens);
    Flags.positive("--hidden", hidden);
    Flags.positive("--runs", runs);
    if (dtype == Precision.bfloat16) {
      NormBenchmark.runBfloat16(tokens, hidden, runs, System.out); // never a bf16 array in Java: DJL aborts on one
    } else {
      NormBenchmark.run(tokens, hidden, runs, dtype.type, System.out);
    }
  }
}
