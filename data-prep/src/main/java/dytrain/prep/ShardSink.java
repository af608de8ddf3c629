package dytrain.prep;

import dytrain.data.Manifest;
import dytrain.data.TokenDtype;
import dytrain.data.TokenShardWriter;
import dytrain.io.AtomicWrite;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The shards one input contributes to one split: {@code train-00003-0000.parquet}, {@code -0001}, ...
 * A new shard starts once the current one reaches the target token count. Each shard is written under
 * {@code _tmp/} and renamed into place when complete, so the dataset folder never holds half a shard.
 */
final class ShardSink implements AutoCloseable {
  private final FileSystem fs;
  private final Path dir;
  private final String prefix;
  private final String attempt;
  private final TokenDtype dtype;
  private final long shardTokens;
  private final List<Manifest.Shard> shards = new ArrayList<>();
  private TokenShardWriter writer;
  private Path tmp;
  private long documents;

  ShardSink(FileSystem fs, Path dir, String split, int input, String attempt, TokenDtype dtype, long shardTokens) {
    this.fs = fs;
    this.dir = dir;
    this.prefix = prefixOf(split, input);
    this.attempt = attempt;
    this.dtype = dtype;
    this.shardTokens = shardTokens;
  }

  static String prefixOf(String split, int input) {
    return String.format("%s-%05d-", split, input);
  }

  void write(long docId, int[] tokens, boolean lastOfDoc) throws IOException {
    if (writer == null) {
      tmp = new Path(dir, "_tmp/" + name(shards.size()) + "." + attempt);
      writer = new TokenShardWriter(fs, tmp, dtype, TokenShardWriter.DEFAULT_ROW_GROUP_BYTES);
    }
    writer.write(docId, tokens);
    if (lastOfDoc) documents++;
    if (writer.tokens() >= shardTokens) {
      seal();
    }
  }

  long documents() {
    return documents;
  }

  /** Seals the open shard and returns all of this sink's shards in order. */
  List<Manifest.Shard> finish() throws IOException {
    seal();
    return List.copyOf(shards);
  }

  private void seal() throws IOException {
    if (writer == null) return;
    TokenShardWriter.Written w = writer.finish();
    writer = null;
    String name = name(shards.size());
    Path target = new Path(dir, name);
    AtomicWrite.moveIntoPlace(fs, tmp, target); // replacing one left by an attempt that died before its summary
    long bytes = fs.getFileStatus(target).getLen();
    shards.add(new Manifest.Shard(name, w.rows(), w.tokens(), w.rowGroups(), bytes, w.sha256()));
  }

  private String name(int seq) {
    return prefix + String.format("%04d", seq) + ".parquet";
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
      fs.delete(tmp, false); // an abandoned shard: the rerun rewrites it
    }
  }
}
