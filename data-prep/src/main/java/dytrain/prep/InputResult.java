package dytrain.prep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dytrain.data.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What one input turned into, written as {@code _inputs/input-00003.json} after its shards are in place.
 * Its presence marks the input done: a rerun after a crash redoes only inputs without one.
 */
record InputResult(
    int input,
    String path,
    long trainDocuments,
    long valDocuments,
    List<Manifest.Shard> train,
    List<Manifest.Shard> val,
    long skippedRecords,
    long invalidUtf8Records) {

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  static String fileName(int input) {
    return String.format("_inputs/input-%05d.json", input);
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InputResult fromJson(String json) throws IOException {
    return JSON.readValue(json, InputResult.class);
  }
}
