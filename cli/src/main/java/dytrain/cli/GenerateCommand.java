package dytrain.cli;

import dytrain.export.ModelFolder;
import dytrain.model.Generator;
import dytrain.model.Llama;
import dytrain.tokenizer.Tokenizer;
import dytrain.train.DatasetTokenizer;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Continue a prompt with an exported model (or a checkpoint folder).")
final class GenerateCommand implements java.util.concurrent.Callable<Integer> {

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
      System.out.println(prompt + generate(llama, tokenizer, prompt, maxNewTokens, temperature, topK, seed));
    }
    return 0;
  }

  /** The decoded continuation; an empty prompt starts a new document (after an EOS). */
  static String generate(Llama llama, Tokenizer tokenizer, String prompt, int maxNewTokens, double temperature, int topK, long seed) {
    int[] ids = prompt.isEmpty() ? new int[] {tokenizer.eosId()} : tokenizer.encode(prompt);
    int[] out = new Generator(llama, seed).continueFrom(ids, maxNewTokens, temperature, topK, tokenizer.eosId(), tokenizer::canDecode);
    if (out.length > 0 && out[out.length - 1] == tokenizer.eosId()) {
      out = java.util.Arrays.copyOf(out, out.length - 1);
    }
    return tokenizer.decode(out);
  }
}
