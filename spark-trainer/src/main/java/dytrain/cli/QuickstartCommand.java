package dytrain.cli;

import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.model.Llama;
import dytrain.model.ModelSize;
import dytrain.model.Scorer;
import java.nio.file.Path;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "quickstart", description = "Initialise a small model from configs/ and score a token sequence.")
final class QuickstartCommand implements Runnable {

  @Option(names = "--config", defaultValue = "configs/small.yaml") Path config;

  @Override
  public void run() {
    DytrainConfig c = ConfigLoader.load(config, java.util.List.of());
    try (Llama model = Llama.init(c.model(), c.seed())) {
      System.out.printf("initialised %s: %,d parameters, %s%n", config, ModelSize.of(c.model()).total(), model.alpha0());
      int[] tokens = new Random(c.seed()).ints(64, 0, c.model().vocabSize()).toArray();
      double[] nll = Scorer.tokenNll(model, tokens);
      double mean = java.util.Arrays.stream(nll).average().orElseThrow();
      System.out.printf("mean next-token NLL of 64 random tokens: %.4f nats (uniform over the vocabulary: ln %d = %.4f)%n",
          mean, c.model().vocabSize(), Math.log(c.model().vocabSize()));
    }
  }
}
