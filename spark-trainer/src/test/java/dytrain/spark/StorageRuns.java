package dytrain.spark;

import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.data.DatasetFileSystem;
import dytrain.export.ModelExport;
import dytrain.prep.PrepSettings;
import dytrain.train.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;

/** The corpus, prep settings and tiny training runs the storage tests share. */
final class StorageRuns {
  private StorageRuns() {}

  /** Three files of short documents separated by blank lines (about 10 KB, byte-tokenized). */
  static Path writeCorpus(Path dir) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(3);
    String[] words = {"the", "seed", "of", "light", "and", "water", "came", "forth", "upon", "earth", "in", "those", "days"};
    for (int f = 0; f < 3; f++) {
      List<String> docs = new ArrayList<>();
      for (int d = 0; d < 30; d++) {
        StringBuilder doc = new StringBuilder("Chapter " + f + "." + d + ".");
        for (int w = 0; w < 20 + r.nextInt(30); w++) doc.append(' ').append(words[r.nextInt(words.length)]);
        docs.add(doc.append('.').toString());
      }
      Files.writeString(dir.resolve("part-" + f + ".txt"), String.join("\n\n", docs) + "\n");
    }
    return dir;
  }

  static PrepSettings prep(Path corpus, String out) {
    return prep(corpus.toString(), out);
  }

  static PrepSettings prep(String corpus, String out) {
    return PrepSettings.of(List.of(corpus), out, "byte").withShardTokens(3000).withValFraction(0.2);
  }

  /** tiny.yaml over a byte-tokenized dataset: 12 steps, a checkpoint every 4, all kept. */
  static List<String> overrides(String dataset, String... more) {
    List<String> all = new ArrayList<>(List.of("data.dataset=" + dataset, "model.vocab_size=258", "train.seq_len=16",
        "train.micro_batch_size=4", "train.steps=12", "train.lr=0.003", "train.warmup_steps=2", "train.eval_every=4",
        "train.eval_batches=2", "train.checkpoint_every=4", "train.keep_last=5", "train.peak_flops=1e9"));
    all.addAll(List.of(more));
    return all;
  }

  static DytrainConfig config(String dataset, String... more) {
    return ConfigLoader.load(Path.of("../configs/tiny.yaml"), overrides(dataset, more));
  }

  /** The newest checkpoint's model.safetensors, verified against its SHA256SUMS. */
  static byte[] lastWeights(String run) throws IOException {
    return lastWeights(run, new Configuration());
  }

  static byte[] lastWeights(String run, Configuration conf) throws IOException {
    var newest = new CheckpointStore(run, conf, 5, 0).newest().orElseThrow();
    return CheckpointStore.readVerified(DatasetFileSystem.of(newest.dir(), conf), newest.dir()).get(ModelExport.WEIGHTS);
  }

  static List<Long> steps(String run) throws IOException {
    return steps(run, new Configuration());
  }

  static List<Long> steps(String run, Configuration conf) throws IOException {
    return new CheckpointStore(run, conf, 5, 0).list().stream().map(CheckpointStore.Checkpoint::step).toList();
  }
}
