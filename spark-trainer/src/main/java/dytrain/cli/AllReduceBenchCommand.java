package dytrain.cli;

import dytrain.bench.AllReduceBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "allreduce", description = "Ring all-reduce bandwidth against point-to-point loopback TCP, one run.")
final class AllReduceBenchCommand implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--ranks", defaultValue = "2") int ranks;
  @Option(names = "--mb", defaultValue = "64") int mb;
  @Option(names = "--runs", defaultValue = "10") int runs;

  @Override
  public Integer call() throws Exception {
    AllReduceBenchmark.run(ranks, mb, runs, System.out);
    return 0;
  }
}
