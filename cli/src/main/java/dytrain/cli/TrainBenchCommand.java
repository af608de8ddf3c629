package dytrain.cli;

import dytrain.bench.TrainStepBenchmark;
import dytrain.train.PeakFlops;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", description = "Training-step tokens/s and MFU, rmsnorm vs dyt, against the measured matmul peak.")
final class TrainBenchCommand implements Runnable {
  @Mixin ConfigOptions options;
  @Option(names = "--steps", defaultValue = "10", description = "timed steps per norm and round (default ${DEFAULT-VALUE})") int steps;

  @Override
  public void run() {
    Flags.positive("--steps", steps);
    var config = options.load();
    double peak = PeakFlops.measure(1024, 5, 0.5);
    TrainStepBenchmark.run(config, steps, peak, System.out);
  }
}
