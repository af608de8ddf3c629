package dytrain.prep;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Cuts large files into parts of {@code splitBytes} so that one big file is not one task. Only formats
 * whose records can be found from any byte offset are cut: uncompressed plain text split by line or blank
 * line, and JSON lines. Parts depend on file sizes and the setting alone, never on the cluster, so the
 * output does not either.
 */
final class InputSplits {
  private InputSplits() {}

  static List<InputFile> split(List<InputFile> files, DocSplit docSplit, long splitBytes, Configuration conf) {
    CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
    List<InputFile> parts = new ArrayList<>();
    for (InputFile f : files) {
      boolean recordsFindable = f.format() == InputFormat.JSONL || (f.format() == InputFormat.TEXT && docSplit != DocSplit.FILE);
      boolean splittable = splitBytes > 0 && f.bytes() > splitBytes && recordsFindable
          && codecs.getCodec(new Path(f.path())) == null;
      if (!splittable) {
        parts.add(new InputFile(parts.size(), f.path(), f.bytes(), f.format()));
        continue;
      }
      for (long start = 0; start < f.bytes(); start += splitBytes) {
        parts.add(new InputFile(parts.size(), f.path(), f.bytes(), f.format(), start, Math.min(f.bytes(), start + splitBytes)));
      }
    }
    return parts;
  }
}
