package dytrain.train;

import dytrain.data.FsOutputFile;
import dytrain.io.AtomicWrite;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * The Parquet copy of a metrics CSV table, for loading many runs into Spark or pandas at once. Columns keep
 * the CSV header's names; counters are int64, the rest double. Written whole, then renamed into place.
 */
final class MetricsParquet {
  private static final Set<String> INTEGER_COLUMNS = Set.of("step", "tokens", "skipped", "outlier");

  private MetricsParquet() {}

  static void write(FileSystem fs, Path file, String csvHeader, List<String> csvRows) throws IOException {
    String[] columns = csvHeader.split(",");
    Types.MessageTypeBuilder schema = Types.buildMessage();
    for (String column : columns) {
      PrimitiveTypeName type = INTEGER_COLUMNS.contains(column) ? PrimitiveTypeName.INT64 : PrimitiveTypeName.DOUBLE;
      schema.addField(Types.primitive(type, Repetition.REQUIRED).named(column));
    }
    MessageType type = schema.named("metrics");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    AtomicWrite.file(fs, file, tmp -> {
      try (ParquetWriter<Group> out =
          ExampleParquetWriter.builder(new FsOutputFile(fs, tmp))
              .withConf(new Configuration(false))
              .withType(type)
              .withCompressionCodec(CompressionCodecName.ZSTD)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build()) {
        for (String row : csvRows) {
          String[] values = row.split(",");
          Group group = groups.newGroup();
          for (int c = 0; c < columns.length; c++) {
            if (INTEGER_COLUMNS.contains(columns[c])) {
              group.append(columns[c], Long.parseLong(values[c]));
            } else {
              group.append(columns[c], Double.parseDouble(values[c]));
            }
          }
          out.write(group);
        }
      }
    });
  }
}
