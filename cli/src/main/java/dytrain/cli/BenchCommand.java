package dytrain.cli;

import picocli.CommandLine.Command;

/** {@code dytrain bench <what>}: benchmarks are commands that print ratios measured in one run. */
@Command(
    name = "bench",
    description = "Benchmarks: ratios measured in one run, against the limit they approach.",
    subcommands = {NormBenchCommand.class, ModelBenchCommand.class, TrainBenchCommand.class, PeakBenchCommand.class, AllReduceBenchCommand.class, ScalingBenchCommand.class, TokenizeBenchCommand.class,
        SweepBenchCommand.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
