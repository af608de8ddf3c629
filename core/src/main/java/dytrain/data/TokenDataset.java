package dytrain.data;

import dytrain.config.DytrainException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A prepared token dataset: a folder (any Hadoop URI) with Parquet shards and manifest.json. Opening
 * refuses a folder without a complete manifest, because prep writes it last: no manifest means the run
 * did not finish (or the folder is something else).
 *
 * <pre>
 * TokenDataset ds = TokenDataset.open("hdfs:///data/kjv", conf);
 * for (Manifest.Shard shard : ds.manifest().split("train").shards())
 *   try (TokenShardReader rows = ds.openShard(shard)) {
 *     for (TokenRow row; (row = rows.next()) != null; ) ...
 *   }
 * </pre>
 */
public final class TokenDataset {
  private final Path dir;
  private final Configuration conf;
  private final Manifest manifest;

  private TokenDataset(Path dir, Configuration conf, Manifest manifest) {
    this.dir = dir;
    this.conf = conf;
    this.manifest = manifest;
  }

  public static TokenDataset open(String dir, Configuration conf) {
    Path path = new Path(dir);
    Path file = new Path(path, Manifest.FILE_NAME);
    String json;
    try {
      FileSystem fs = DatasetFileSystem.of(path, conf);
      if (!fs.exists(path)) {
        throw new DytrainException("dataset folder " + dir + " does not exist");
      }
      json = DatasetFileSystem.readString(fs, file);
    } catch (FileNotFoundException e) {
      throw new DytrainException(
          "dataset folder " + dir + " has no manifest.json, so it is not a complete dataset"
              + " (prep writes the manifest last; rerun the same prep command to finish it)");
    } catch (IOException e) {
      throw new DytrainException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      return new TokenDataset(path, conf, Manifest.fromJson(json));
    } catch (IOException | IllegalArgumentException e) {
      throw new DytrainException("manifest " + file + " is not a valid dytrain manifest: " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  public Manifest manifest() {
    return manifest;
  }

  public Path shardPath(Manifest.Shard shard) {
    return new Path(dir, shard.file());
  }

  public TokenShardReader openShard(Manifest.Shard shard) throws IOException {
    return new TokenShardReader(conf, shardPath(shard), manifest.tokenDtype());
  }

  public Configuration conf() {
    return conf;
  }
}
