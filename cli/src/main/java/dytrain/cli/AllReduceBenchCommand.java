package dytrain.cli;

import dytrain.bench.AllReduceBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "allreduce", description = "Ring all-reduce bandwidth against point-to-point loopback TCP, measured in the same run.")
final class AllReduceBenchCommand implements Callable<Integer> {
  @Option(names = "--ranks", defaultValue = "2") int ranks;
  @Option(names = "--mb", defaultValue = "64") int mb;
  @Option(names = "--runs", defaultValue = "10", description = "all-reduces per round (default ${DEFAULT-VALUE})")
  int runs;
  @Option(names = "--rounds", defaultValue = "7", description = "rounds, each measuring all three; the median is reported (default ${DEFAULT-VALUE})")
  int rounds;

  @Override
  public Integer call() throws Exception {
    Flags.atLeast("--ranks", ranks, 2);
    Flags.positive("--mb", mb);
    Flags.positive("--runs", runs);
    Flags.positive("--rounds", rounds);
    AllReduceBenchmark.run(ranks, mb, runs, rounds, System.out);
    return 0;
  }
}
