package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.data.PackedSequences;
import dytrain.data.TokenDataset;
import dytrain.export.ModelFolder;
import dytrain.model.Llama;
import dytrain.train.Evaluator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", description = "Print the validation loss and perplexity of an exported model on a dataset.")
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR") Path model;
  @Option(names = "--data", required = true, paramLabel = "DATASET") String data;
  @Option(names = "--split", defaultValue = "val", description = "dataset split (default ${DEFAULT-VALUE})") String split;
  @Option(names = "--seq-len", description = "tokens per sequence (default: the model's max_seq_len)") Integer seqLen;
  @Option(names = "--batch-size", defaultValue = "8", description = "sequences per batch (default ${DEFAULT-VALUE})") int batchSize;
  @Option(names = "--batches", defaultValue = "16", description = "batches to average over (default ${DEFAULT-VALUE})") int batches;

  @Override
  public Integer call() throws Exception {
    Flags.positive("--batch-size", batchSize);
    Flags.positive("--batches", batches);
    try (Llama llama = ModelFolder.read(model)) {
      int t = seqLen != null ? Flags.positive("--seq-len", seqLen) : llama.config().maxSeqLen();
      if (t > llama.config().maxSeqLen()) {
        throw new DytrainException("--seq-len = " + t + " exceeds the model's max_seq_len = " + llama.config().maxSeqLen());
      }
      TokenDataset ds = TokenDataset.open(data, new Configuration());
      TokenizerCheck.requireSame("eval", ds, data, model, ": its loss there would mean nothing");
      var evaluator = new Evaluator(PackedSequences.inStoredOrder(ds, split, t + 1, llama.config().vocabSize()), batches, batchSize);
      double loss = evaluator.meanLoss(llama);
      System.out.printf("%s loss %.4f nats/token, perplexity %.2f (%,d tokens of split %s)%n",
          split, loss, Math.exp(loss), evaluator.tokens(), split);
    }
    return 0;
  }
}
