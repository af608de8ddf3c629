package dytrain.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How token ids are packed in the {@code tokens} column: little-endian unsigned, as narrow as the vocab allows. */
public enum TokenDtype {
  UINT16(2),
  UINT32(4);

  public final int bytes;

  TokenDtype(int bytes) {
    this.bytes = bytes;
  }

  public static TokenDtype forVocab(int vocabSize) {
    return vocabSize <= 65536 ? UINT16 : UINT32;
  }

  @JsonValue
  public String jsonName() {
    return name().toLowerCase();
  }

  @JsonCreator
  public static TokenDtype fromJson(String name) {
    return valueOf(name.toUpperCase());
  }
}
