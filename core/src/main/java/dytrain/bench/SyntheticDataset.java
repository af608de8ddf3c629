package dytrain.bench;

import dytrain.data.DatasetFileSystem;
import dytrain.data.Manifest;
import dytrain.data.TokenDtype;
import dytrain.data.TokenShardWriter;
import dytrain.io.AtomicWrite;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** A dataset of random tokens in the real shard format, for throughput benchmarks that need no corpus. */
public final class SyntheticDataset {
  private SyntheticDataset() {}

  public static void write(String dir, int vocab, long tokens, long seed) throws IOException {
    Path root = new Path(dir);
    var fs = DatasetFileSystem.of(root, new Configuration());
    Random r = new Random(seed);
    Map<String, Manifest.Split> splits = new LinkedHashMap<>();
    for (String split : List.of("train", "val")) {
      long want = split.equals("train") ? tokens : Math.max(4096, tokens / 20);
      String name = split + ".parquet";
      TokenShardWriter.Written w;
      try (var writer = new TokenShardWriter(fs, new Path(root, name), TokenDtype.forVocab(vocab), 8 << 20)) {
        for (long written = 0, doc = 0; written < want; doc++) {
          int[] ids = new int[(int) Math.min(1024, want - written)];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(vocab);
          }
          writer.write(doc, ids);
          written += ids.length;
        }
        w = writer.finish();
      }
      long bytes = fs.getFileStatus(new Path(root, name)).getLen();
      splits.put(split, new Manifest.Split(w.rows(), w.rows(), w.tokens(),
          List.of(new Manifest.Shard(name, w.rows(), w.tokens(), w.rowGroups(), bytes, w.sha256()))));
    }
    long rows = splits.values().stream().mapToLong(Manifest.Split::rows).sum();
    long total = splits.values().stream().mapToLong(Manifest.Split::tokens).sum();
    Manifest m = new Manifest(Manifest.FORMAT_VERSION,
        new Manifest.TokenizerInfo("synthetic", vocab, 0, 0, "0".repeat(64)), TokenDtype.forVocab(vocab), splits,
        new Manifest.Totals(rows, rows, total, 0, 0), Manifest.contentHash(splits), List.of(), null);
    AtomicWrite.file(fs, new Path(root, Manifest.FILE_NAME), m.toJson());
  }
}
