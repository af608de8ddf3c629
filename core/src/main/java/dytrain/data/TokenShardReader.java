package dytrain.data;

import dytrain.config.DytrainException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Streams the rows of one token shard in file order. {@link #next()} returns null at the end. A row whose
 * num_tokens disagrees with its token bytes is reported with the shard's name, not decoded as garbage.
 */
public final class TokenShardReader implements AutoCloseable {
  private final ParquetReader<Group> parquet;
  private final TokenDtype dtype;
  private final Path file;
  private long rowIndex;

  public TokenShardReader(Configuration conf, Path file, TokenDtype dtype) throws IOException {
    this.file = file;
    this.dtype = dtype;
    this.parquet = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build();
  }

  public TokenRow next() throws IOException {
    Group g = parquet.read();
    if (g == null) {
      return null;
    }
    long docId = g.getLong("doc_id", 0);
    int numTokens = g.getInteger("num_tokens", 0);
    byte[] packed = g.getBinary("tokens", 0).getBytes();
    if (packed.length != (long) numTokens * dtype.bytes) {
      throw new DytrainException(
          "shard " + file + " row " + rowIndex + " (doc " + docId + "): num_tokens " + numTokens + " but "
              + packed.length + " token bytes of " + dtype.jsonName());
    }
    rowIndex++;
    return new TokenRow(docId, TokenPacking.unpack(packed, dtype));
  }

  @Override
  public void close() throws IOException {
    parquet.close();
  }
}
