package dytrain.cli;

import dytrain.bench.ModelBenchmark;
import dytrain.config.DytrainException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "model", description = "Whole-model forward and forward+backward, rmsnorm vs dyt, in one run.")
final class ModelBenchCommand implements Runnable {
  @Mixin ConfigOptions options;
  @Option(names = "--batch", defaultValue = "4") int batch;
  @Option(names = "--seq-len", defaultValue = "256") int seqLen;
  @Option(names = "--runs", defaultValue = "10") int runs;
  @Option(names = "--dtype", description = "model.dtype for this run: float32 or bfloat16 (default: the config's)")
  String dtype;

  @Override
  public void run() {
    Flags.positive("--batch", batch);
    Flags.positive("--runs", runs);
    var config = options.load().model();
    var model = dtype == null ? config : config.withDtype(dtype);
    if (Flags.positive("--seq-len", seqLen) > model.maxSeqLen()) {
      throw new DytrainException("--seq-len = " + seqLen + " exceeds model.max_seq_len = " + model.maxSeqLen());
    }
    ModelBenchmark.run(model, batch, seqLen, runs, System.out);
  }
}
