package dytrain.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dytrain.config.DytrainException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (fp32 only): an 8-byte little-endian header length, a JSON header mapping each
 * name to dtype, shape and byte offsets, then the raw little-endian tensor bytes in header order.
 */
public final class SafeTensors {

  /** A named fp32 tensor in row-major order. */
  public record Tensor(long[] shape, float[] data) {
    public Tensor {
      long size = 1;
      for (long s : shape) {
        size *= s;
      }
      if (size != data.length) {
        throw new IllegalArgumentException("shape and data disagree: " + size + " vs " + data.length);
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafeTensors() {}

  public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", "F32");
      var shape = t.putArray("shape");
      for (long s : e.getValue().shape()) {
        shape.add(s);
      }
      long bytes = 4L * e.getValue().data().length;
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
    out.write(len.array());
    out.write(json);
    for (int i = json.length; i < padded; i++) {
      out.write(' ');
    }
    for (Tensor t : tensors.values()) {
      ByteBuffer buf = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(t.data());
      out.write(buf.array());
    }
  }

  /** Reads every tensor; {@code source} names the file in error messages. */
  public static Map<String, Tensor> read(InputStream in, String source) throws IOException {
    return readWithMetadata(in, source).tensors();
  }

  /** A file's tensors and its {@code __metadata__} strings. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  public static Contents readWithMetadata(InputStream in, String source) throws IOException {
    byte[] lenBytes = in.readNBytes(8);
    if (lenBytes.length < 8) {
      throw new DytrainException(source + ": not a safetensors file (shorter than 8 bytes)");
    }
    long headerLength = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength <= 0 || headerLength > 100_000_000) {
      throw new DytrainException(source + ": not a safetensors file (header length " + headerLength + ")");
    }
    byte[] headerBytes = in.readNBytes((int) headerLength);
    JsonNode header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
    byte[] data = in.readAllBytes();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    var fields = header.fields();
    while (fields.hasNext()) {
      var e = fields.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      JsonNode t = e.getValue();
      if (!"F32".equals(t.path("dtype").asText())) {
        throw new DytrainException(
            source + ": tensor " + e.getKey() + " has dtype " + t.path("dtype").asText() + "; only F32 is read");
      }
      long[] shape = new long[t.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.get("shape").get(i).asLong();
      }
      int begin = t.get("data_offsets").get(0).asInt();
      int end = t.get("data_offsets").get(1).asInt();
      if (begin < 0 || end > data.length || end < begin) {
        throw new DytrainException(source + ": tensor " + e.getKey() + " lies outside the file");
      }
      float[] values = new float[(end - begin) / 4];
      ByteBuffer.wrap(data, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      tensors.put(e.getKey(), new Tensor(shape, values));
    }
    return new Contents(tensors, metadata);
  }
}
