package dytrain.prep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** JSON lines: one object a line, the document text in {@code --text-field}. Blank lines are ignored. */
final class JsonlDocuments implements DocumentReader {
  // one record a line: '{"text": "a"} junk' is malformed, not a record plus ignored junk
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Utf8LineReader lines;
  private final String field;
  private final RecordCounts counts;
  private final TextPieces pieces = new TextPieces();
  private long doc;
  /** A record starting at or after this byte belongs to the next part of the file. */
  private final long end;

  JsonlDocuments(Utf8LineReader lines, String field, RecordCounts counts) {
    this(lines, field, counts, Long.MAX_VALUE);
  }

  JsonlDocuments(Utf8LineReader lines, String field, RecordCounts counts, long end) {
    this.lines = lines;
    this.field = field;
    this.counts = counts;
    this.end = end;
  }

  @Override
  public DocPiece next() throws IOException {
    while (!pieces.hasMore()) {
      String line = lines.readLine();
      if (line == null || lines.lineStart() >= end) {
        return null;
      }
      if (lines.continues()) {
        while (lines.continues()) lines.readLine(); // drop the rest of the oversized record
        counts.bad(this::position, "record longer than 256 MiB");
        continue;
      }
      if (line.isBlank()) {
        continue;
      }
      JsonNode record;
      try {
        record = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        counts.bad(this::position, "malformed JSON: " + e.getOriginalMessage());
        continue;
      }
      JsonNode text = record.isObject() ? record.get(field) : null;
      if (text == null || !text.isTextual()) {
        counts.bad(this::position, "no string field \"" + field + "\" (set --text-field)");
        continue;
      }
      if (!text.asText().isEmpty()) {
        pieces.start(doc++, text.asText());
      }
    }
    return pieces.next();
  }

  @Override
  public String position() {
    return "line " + lines.lineNumber();
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
