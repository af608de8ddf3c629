package dytrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dytrain.export.ModelFolder;
import dytrain.model.Llama;
import dytrain.model.Scorer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score", description = "Print the next-token NLL of a token sequence under an exported model, as JSON.")
final class ScoreCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "an export (model.safetensors + config.json), or a checkpoint folder")
  Path model;

  @Option(names = "--tokens-file", required = true, paramLabel = "FILE", description = "token ids separated by spaces, commas or newlines")
  Path tokensFile;

  @Override
  public Integer call() throws Exception {
    try (Llama llama = ModelFolder.read(model)) {
      int[] tokens = TokenIdsFile.read(tokensFile, llama.config().vocabSize());
      double[] nll = Scorer.tokenNll(llama, tokens);
      ObjectNode json = new ObjectMapper().createObjectNode();
      json.put("tokens", tokens.length);
      var array = json.putArray("nll");
      double sum = 0;
      for (double v : nll) {
        array.add(v);
        sum += v;
      }
      json.put("mean_nll", sum / nll.length);
      System.out.println(json);
    }
    return 0;
  }
}
