package dytrain.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;

/**
 * Re-reads every shard of a dataset and checks it against its manifest: readable, row and token counts,
 * row groups, content hash, every token id below the vocab size. Used by {@code shards inspect}; the
 * problems it returns name the shard, row and document.
 */
public final class DatasetValidator {
  private static final int MAX_PROBLEMS_PER_SHARD = 5;

  private DatasetValidator() {}

  /** Called after each shard, for progress display. */
  public interface Progress {
    void shardChecked(Manifest.Shard shard);
  }

  public static List<String> validate(TokenDataset dataset, Progress progress) {
    Manifest m = dataset.manifest();
    int vocab = m.tokenizer().vocabSize();
    List<String> problems = new ArrayList<>();
    FileSystem fs;
    try {
      fs = DatasetFileSystem.of(dataset.dir(), dataset.conf());
    } catch (IOException e) {
      return List.of("cannot open the file system of " + dataset.dir() + ": " + e.getMessage());
    }
    long docs = 0;
    for (Map.Entry<String, Manifest.Split> split : m.splits().entrySet()) {
      docs += split.getValue().documents();
      for (Manifest.Shard shard : split.getValue().shards()) {
        checkShard(dataset, fs, shard, vocab, problems);
        progress.shardChecked(shard);
      }
    }
    if (!Manifest.contentHash(m.splits()).equals(m.contentHash())) {
      problems.add("manifest content_hash does not match its shards' hashes");
    }
    if (docs != m.totals().documents()) {
      problems.add("splits hold " + docs + " documents but totals.documents is " + m.totals().documents());
    }
    return problems;
  }

  private static void checkShard(
      TokenDataset dataset, FileSystem fs, Manifest.Shard shard, int vocab, List<String> problems) {
    String name = shard.file();
    int before = problems.size();
    RowHasher hasher = new RowHasher();
    long rows = 0;
    long tokens = 0;
    try {
      long bytes = fs.getFileStatus(dataset.shardPath(shard)).getLen();
      if (bytes != shard.bytes()) {
        problems.add("shard " + name + ": " + bytes + " bytes on disk, manifest says " + shard.bytes());
      }
      try (TokenShardReader reader = dataset.openShard(shard)) {
        for (TokenRow row; (row = reader.next()) != null; rows++) {
          int[] t = row.tokens();
          for (int i = 0; i < t.length; i++) {
            if ((t[i] < 0 || t[i] >= vocab) && problems.size() - before < MAX_PROBLEMS_PER_SHARD) {
              problems.add(
                  "shard " + name + " row " + rows + " (doc " + row.docId() + "): token id "
                      + Integer.toUnsignedString(t[i]) + " at position " + i + " >= vocab size " + vocab);
            }
          }
          tokens += t.length;
          hasher.add(row.docId(), t.length, TokenPacking.pack(t, 0, t.length, dataset.manifest().tokenDtype()));
        }
      }
    } catch (IOException | RuntimeException e) {
      problems.add("shard " + name + " is not readable: " + e.getMessage());
      return;
    }
    if (rows != shard.rows() || tokens != shard.tokens()) {
      problems.add(
          "shard " + name + ": holds " + rows + " rows / " + tokens + " tokens, manifest says " + shard.rows()
              + " / " + shard.tokens());
    } else if (!hasher.hex().equals(shard.sha256())) {
      problems.add("shard " + name + ": content hash differs from the manifest's");
    }
  }
}
