package dytrain.data;

import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes one token shard: Parquet, zstd, columns doc_id int64, num_tokens int32, tokens binary (packed
 * little-endian ids). Memory is bounded by the row group size. Nothing in the file depends on time or
 * host, so the same rows always give the same bytes.
 */
public final class TokenShardWriter implements AutoCloseable {
  public static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message token_shard { required int64 doc_id; required int32 num_tokens; required binary tokens; }");
  public static final long DEFAULT_ROW_GROUP_BYTES = 8L << 20;

  private final ParquetWriter<Group> parquet;
  private final SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
  private final TokenDtype dtype;
  private final RowHasher hasher = new RowHasher();
  private long rowCount;
  private long tokenCount;
  private boolean closed;

  /** What a finished shard holds; the caller adds the file name and size once it is in place. */
  public record Written(long rows, long tokens, int rowGroups, String sha256) {}

  public TokenShardWriter(FileSystem fs, Path file, TokenDtype dtype, long rowGroupBytes) throws IOException {
    this.dtype = dtype;
    this.parquet =
        ExampleParquetWriter.builder(new FsOutputFile(fs, file))
            // without a configuration the builder makes a default one and parses Hadoop's XML defaults
            // for every file; Parquet needs none of them
            .withConf(new Configuration(false))
            .withType(SCHEMA)
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .withDictionaryEncoding(false) // ids and token blobs never repeat enough to pay for a dictionary
            // Version-1 data pages give each column chunk two encodings (levels and values), and
            // parquet-mr writes that pair in HashSet order, which differs from JVM to JVM: the same rows
            // would give different footer bytes in another process. Version-2 pages record one encoding.
            .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
            .withRowGroupSize(rowGroupBytes)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withExtraMetaData(Map.of("dytrain.token_dtype", dtype.jsonName()))
            // min/max of packed token bytes mean nothing and cost a copy per page
            // level 1, not 3: on the KJV with gpt2 ids files are 16% larger, but prep spends 7 points
            // less over raw tokenization (dytrain bench tokenize); reading speed is the same
            .config("parquet.compression.codec.zstd.level", "1")
            .withStatisticsEnabled("tokens", false)
            .withSizeStatisticsEnabled("tokens", false)
            .build();
  }

  public void write(long docId, int[] tokens) throws IOException {
    write(docId, tokens, 0, tokens.length);
  }

  /** Writes {@code tokens[from, to)} as one row. */
  public void write(long docId, int[] tokens, int from, int to) throws IOException {
    byte[] packed = TokenPacking.pack(tokens, from, to, dtype);
    parquet.write(
        rows.newGroup()
            .append("doc_id", docId)
            .append("num_tokens", to - from)
            .append("tokens", Binary.fromConstantByteArray(packed)));
    hasher.add(docId, to - from, packed);
    rowCount++;
    tokenCount += to - from;
  }

  public long rows() {
    return rowCount;
  }

  public long tokens() {
    return tokenCount;
  }

  /** Closes the file and returns its counts and content hash. */
  public Written finish() throws IOException {
    close();
    return new Written(rowCount, tokenCount, parquet.getFooter().getBlocks().size(), hasher.hex());
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      parquet.close();
    }
  }
}
