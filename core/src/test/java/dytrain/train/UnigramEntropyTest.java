package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dytrain.data.DatasetFileSystem;
import dytrain.data.Manifest;
import dytrain.data.TokenDataset;
import dytrain.data.TokenDtype;
import dytrain.data.TokenShardWriter;
import dytrain.data.UnigramEntropy;
import dytrain.io.AtomicWrite;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnigramEntropyTest {

  /** Tokens 1,1,2,3 have probabilities 1/2, 1/4, 1/4: entropy 1.5 bits = 1.5 ln 2 nats. */
  @Test
  void matchesTheClosedForm(@TempDir Path dir) throws Exception {
    var conf = new Configuration();
    var root = new org.apache.hadoop.fs.Path(dir.toUri());
    var fs = DatasetFileSystem.of(root, conf);
    TokenShardWriter.Written w;
    try (var writer = new TokenShardWriter(fs, new org.apache.hadoop.fs.Path(root, "t.parquet"), TokenDtype.UINT16, 1 << 20)) {
      writer.write(0, new int[] {1, 2});
      writer.write(1, new int[] {1, 3});
      w = writer.finish();
    }
    var split = new Manifest.Split(2, 2, 4, List.of(new Manifest.Shard("t.parquet", 2, 4, w.rowGroups(), 1, w.sha256())));
    var splits = Map.of("train", split);
    var m = new Manifest(Manifest.FORMAT_VERSION, new Manifest.TokenizerInfo("t", 8, 0, 0, "x"), TokenDtype.UINT16,
        splits, new Manifest.Totals(2, 2, 4, 0, 0), Manifest.contentHash(splits), List.of(), null);
    AtomicWrite.file(fs, new org.apache.hadoop.fs.Path(root, Manifest.FILE_NAME), m.toJson());
    assertEquals(1.5 * Math.log(2), UnigramEntropy.of(TokenDataset.open(dir.toString(), conf), "train"), 1e-12);
  }
}
