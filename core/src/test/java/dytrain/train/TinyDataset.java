package dytrain.train;

import dytrain.data.DatasetFileSystem;
import dytrain.data.Manifest;
import dytrain.data.TokenDtype;
import dytrain.data.TokenShardWriter;
import dytrain.io.AtomicWrite;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A learnable token dataset written with the real shard writer: each document counts up from a random
 * start in random strides modulo the vocabulary and ends in EOS (id 0), so the next token follows from the
 * previous two.
 */
public final class TinyDataset {
  private TinyDataset() {}

  public static void write(java.nio.file.Path dir, int vocab, int docsPerShard, int shards, long seed) throws IOException {
    write(dir, vocab, vocab, docsPerShard, shards, seed);
  }

  /** {@code maxId} above {@code vocab} writes ids the manifest's tokenizer cannot produce (a corrupt dataset). */
  public static void write(java.nio.file.Path dir, int vocab, int maxId, int docsPerShard, int shards, long seed) throws IOException {
    Configuration conf = new Configuration();
    Path root = new Path(dir.toUri());
    FileSystem fs = DatasetFileSystem.of(root, conf);
    Random r = new Random(seed);
    Map<String, Manifest.Split> splits = new LinkedHashMap<>();
    long docId = 0;
    long totalRows = 0;
    long totalTokens = 0;
    for (String split : List.of("train", "val")) {
      List<Manifest.Shard> list = new ArrayList<>();
      long rows = 0;
      long tokens = 0;
      int n = split.equals("train") ? shards : 1;
      for (int s = 0; s < n; s++) {
        String name = split + "-" + s + ".parquet";
        TokenShardWriter.Written w;
        try (var writer = new TokenShardWriter(fs, new Path(root, name), TokenDtype.forVocab(vocab), 1 << 20)) {
          for (int d = 0; d < docsPerShard; d++) {
            int length = 20 + r.nextInt(40);
            int[] doc = new int[length];
            int start = 1 + r.nextInt(maxId - 1);
            int stride = 1 + r.nextInt(3);
            for (int i = 0; i < length - 1; i++) {
              doc[i] = 1 + Math.floorMod(start - 1 + i * stride, maxId - 1);
            }
            doc[length - 1] = 0;
            writer.write(docId++, doc);
          }
          w = writer.finish();
        }
        long bytes = fs.getFileStatus(new Path(root, name)).getLen();
        list.add(new Manifest.Shard(name, w.rows(), w.tokens(), w.rowGroups(), bytes, w.sha256()));
        rows += w.rows();
        tokens += w.tokens();
      }
      splits.put(split, new Manifest.Split(rows, rows, tokens, list));
      totalRows += rows;
      totalTokens += tokens;
    }
    Manifest m = new Manifest(Manifest.FORMAT_VERSION,
        new Manifest.TokenizerInfo("byte-test", vocab, 0, 0, "0".repeat(64)),
        TokenDtype.forVocab(vocab), splits,
        new Manifest.Totals(totalRows, totalRows, totalTokens, 0, 0),
        Manifest.contentHash(splits), List.of(), null);
    AtomicWrite.file(fs, new Path(root, Manifest.FILE_NAME), m.toJson());
  }
}
