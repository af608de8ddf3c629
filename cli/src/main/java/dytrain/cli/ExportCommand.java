package dytrain.cli;

import dytrain.export.CheckpointExport;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", description = "Write a checkpoint's model as model.safetensors + config.json (+ its tokenizer).")
final class ExportCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "a checkpoint folder (runs/X/checkpoints/step-N), or a run folder for its newest") String checkpoint;
  @Option(names = "--out", required = true, paramLabel = "DIR") String out;

  @Override
  public Integer call() throws Exception {
    Path dir = CheckpointExport.export(checkpoint, out, new Configuration());
    System.out.printf("exported %s to %s%n", dir, out);
    return 0;
  }
}
