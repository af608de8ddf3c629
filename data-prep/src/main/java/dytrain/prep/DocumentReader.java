package dytrain.prep;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/** The documents of one input file, as pieces in order; {@link #next()} returns null at the end. */
interface DocumentReader extends AutoCloseable {
  /** Longest text piece handed to the tokenizer; bounds a task's memory whatever the document length. */
  int PIECE_CHARS = 1 << 20;
  /** Longest line handed out whole; longer ones come in pieces (one document's text, or a skipped JSON record). */
  int TEXT_LINE_BYTES = 8 << 20;
  int JSON_LINE_BYTES = 256 << 20;

  DocPiece next() throws IOException;

  /** Where the reader is, for error messages ("line 17", "row 3"). */
  String position();

  @Override
  void close() throws IOException;

  static DocumentReader open(
      InputFile input, DocSplit docSplit, String textField, Configuration conf, RecordCounts counts)
      throws IOException {
    if (!input.whole()) { // a part of a large uncompressed file (InputSplits)
      return switch (input.format()) {
        case TEXT -> {
          PartStart at = PartStart.open(input, docSplit, TEXT_LINE_BYTES, counts, conf);
          yield new TextDocuments(at.lines(), docSplit, input.end(), at.insideDocument());
        }
        case JSONL -> new JsonlDocuments(
            PartStart.open(input, DocSplit.LINE, JSON_LINE_BYTES, counts, conf).lines(), textField, counts, input.end());
        case PARQUET -> throw new IllegalArgumentException("Parquet inputs are read whole: " + input.path());
      };
    }
    return switch (input.format()) {
      case TEXT -> new TextDocuments(new Utf8LineReader(openDecompressed(input, conf), TEXT_LINE_BYTES, counts), docSplit);
      case JSONL -> new JsonlDocuments(
          new Utf8LineReader(openDecompressed(input, conf), JSON_LINE_BYTES, counts), textField, counts);
      case PARQUET -> new ParquetDocuments(input, textField, conf, counts);
    };
  }

  /** Opens a file through the Hadoop FS, decompressing by extension (.gz, .bz2, .zst where available). */
  static InputStream openDecompressed(InputFile input, Configuration conf) throws IOException {
    Path path = new Path(input.path());
    InputStream raw = path.getFileSystem(conf).open(path);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
    try {
      return codec == null ? raw : codec.createInputStream(raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw new DytrainException("input " + input.path() + ": cannot decompress: " + e.getMessage(), e);
    }
  }
}
