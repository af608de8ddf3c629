package dytrain.cli;

import dytrain.export.ModelFolder;
import dytrain.model.Llama;
import dytrain.model.TextCompletion;
import dytrain.tokenizer.Tokenizer;
import dytrain.train.DatasetTokenizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Continue a prompt with an exported model (or a checkpoint folder).")
final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "an export, or a checkpoint folder") Path model;
  @Option(names = "--prompt", defaultValue = "", description = "text to continue (default: a new document)") String prompt;
  @Option(names = "--max-new-tokens", defaultValue = "100", description = "default ${DEFAULT-VALUE}") int maxNewTokens;
  @Option(names = "--temperature", defaultValue = "0.8", description = "0 picks the likeliest token (default ${DEFAULT-VALUE})") double temperature;
  @Option(names = "--top-k", defaultValue = "40", description = "sample among the k likeliest; 0 for all (default ${DEFAULT-VALUE})") int topK;
  @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default ${DEFAULT-VALUE})") long seed;

  @Override
  public Integer call() throws Exception {
    Flags.atLeast("--max-new-tokens", maxNewTokens, 0);
    Flags.atLeast("--top-k", topK, 0);
    Flags.atLeast("--temperature", temperature, 0, "0 (greedy) or a positive number");
    try (Llama llama = ModelFolder.read(model)) {
      Tokenizer tokenizer = DatasetTokenizer.load(model);
      var sampling = new TextCompletion.Sampling(maxNewTokens, temperature, topK, seed);
      System.out.println(prompt + TextCompletion.complete(llama, tokenizer, prompt, sampling));
    }
    return 0;
  }
}
