package dytrain.cli;

import dytrain.config.DytrainConfig;
import dytrain.config.DytrainException;
import dytrain.export.ModelExport;
import dytrain.model.Llama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "init", description = "Write a freshly initialised model in the export format.")
final class InitCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for model.safetensors + config.json")
  Path out;

  @Override
  public Integer call() throws Exception {
    DytrainConfig config = options.load();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new DytrainException("--out " + out + " is a file; init writes a folder");
    }
    try (Llama model = Llama.init(config.model(), config.seed())) {
      if (config.model().normType().isDynamic()) {
        System.out.println(model.alpha0());
      }
      ModelExport.write(model, out);
      System.out.printf("wrote %s (%,d parameters)%n", out, model.parameters().count());
    }
    return 0;
  }
}
