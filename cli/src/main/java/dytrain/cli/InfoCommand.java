package dytrain.cli;

import dytrain.config.ModelConfig;
import dytrain.model.Alpha0Policy;
import dytrain.model.ModelSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "info", description = "Print a model's parameter counts, FLOPs per token and alpha0.")
final class InfoCommand implements Runnable {

  @Mixin ConfigOptions options;

  @Override
  public void run() {
    ModelConfig m = options.load().model();
    ModelSize size = ModelSize.of(m);
    System.out.printf("model: d=%d layers=%d heads=%d kv_heads=%d ffn=%d vocab=%d seq_len=%d norm=%s%s%n",
        m.hiddenSize(), m.numLayers(), m.numHeads(), m.numKvHeads(), m.intermediateSize(), m.vocabSize(),
        m.maxSeqLen(), m.normType().key(), m.tieEmbeddings() ? " tied" : "");
    System.out.printf("parameters: %,d total, %,d non-embedding (%s / %s)%n",
        size.total(), size.nonEmbedding(), human(size.total()), human(size.nonEmbedding()));
    System.out.printf("FLOPs per token at seq_len %d: %s training (forward+backward), %s forward%n",
        m.maxSeqLen(), human(size.trainingFlopsPerToken(m.maxSeqLen())), human(size.forwardFlopsPerToken(m.maxSeqLen())));
    if (m.normType().isDynamic()) {
      System.out.println(Alpha0Policy.of(m));
    }
  }

  static String human(double v) {
    String[] units = {"", "K", "M", "G", "T", "P"};
    int u = 0;
    while (Math.abs(v) >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format("%.2f%s", v, units[u]);
  }
}
