package dytrain.cli;

import ai.djl.Device;
import dytrain.export.ModelExport;
import dytrain.model.Generator;
import dytrain.model.Llama;
import dytrain.tokenizer.Tokenizer;
import dytrain.train.DatasetTokenizer;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Continue a prompt with an exported model (or a checkpoint folder).")
final class GenerateCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR") Path model;
  @Option(names = "--prompt", defaultValue = "") String prompt;
  @Option(names = "--max-new-tokens", defaultValue = "100") int maxNewTokens;
  @Option(names = "--temperature", defaultValue = "0.8") double temperature;
  @Option(names = "--top-k", defaultValue = "40") int topK;
  @Option(names = "--seed", defaultValue = "0") long seed;

  @Override
  public Integer call() throws Exception {
    Tokenizer tokenizer = DatasetTokenizer.load(model);
    try (Llama llama = ModelExport.read(model, Device.cpu())) {
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
