package dytrain.prep;

import dytrain.config.DytrainException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/** Parquet files with a string column ({@code --text-field}); only that column is read. A null is a bad record. */
final class ParquetDocuments implements DocumentReader {
  private final ParquetReader<Group> reader;
  private final String field;
  private final RecordCounts counts;
  private final TextPieces pieces = new TextPieces();
  private long row;
  private long doc;

  ParquetDocuments(InputFile input, String field, Configuration conf, RecordCounts counts) throws IOException {
    this.field = field;
    this.counts = counts;
    Path path = new Path(input.path());
    MessageType schema;
    try (ParquetFileReader footer = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
      schema = footer.getFooter().getFileMetaData().getSchema();
    } catch (IOException | RuntimeException e) {
      throw new DytrainException("input " + input.path() + ": not a readable Parquet file: " + e.getMessage(), e);
    }
    if (!schema.containsField(field)
        || !schema.getType(field).isPrimitive()
        || schema.getType(field).asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY
        || schema.getType(field).isRepetition(Type.Repetition.REPEATED)) {
      throw new DytrainException(
          "input " + input.path() + ": no string column \"" + field + "\" (set --text-field); columns: "
              + schema.getFields().stream().map(Type::getName).toList());
    }
    Configuration projected = new Configuration(conf);
    projected.set(ReadSupport.PARQUET_READ_SCHEMA, new MessageType("documents", schema.getType(field)).toString());
    this.reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(projected).build();
  }

  @Override
  public DocPiece next() throws IOException {
    while (!pieces.hasMore()) {
      Group g = reader.read();
      if (g == null) {
        return null;
      }
      row++;
      if (g.getFieldRepetitionCount(field) == 0) {
        counts.bad(this::position, "column \"" + field + "\" is null");
        continue;
      }
      byte[] bytes = g.getBinary(field, 0).getBytes();
      String text = Utf8LineReader.decode(bytes, bytes.length, counts);
      if (!text.isEmpty()) {
        pieces.start(doc++, text);
      }
    }
    return pieces.next();
  }

  @Override
  public String position() {
    return "row " + row;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
