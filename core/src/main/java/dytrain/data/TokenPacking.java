package dytrain.data;

/** Token ids to and from the little-endian bytes of the {@code tokens} column. */
final class TokenPacking {
  private TokenPacking() {}

  static byte[] pack(int[] tokens, int from, int to, TokenDtype dtype) {
    int n = to - from;
    byte[] out = new byte[n * dtype.bytes];
    for (int i = 0; i < n; i++) {
      int t = tokens[from + i];
      int o = i * dtype.bytes;
      out[o] = (byte) t;
      out[o + 1] = (byte) (t >>> 8);
      if (dtype == TokenDtype.UINT32) {
        out[o + 2] = (byte) (t >>> 16);
        out[o + 3] = (byte) (t >>> 24);
      }
    }
    return out;
  }

  static int[] unpack(byte[] bytes, TokenDtype dtype) {
    int n = bytes.length / dtype.bytes;
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int o = i * dtype.bytes;
      int t = (bytes[o] & 0xff) | (bytes[o + 1] & 0xff) << 8;
      if (dtype == TokenDtype.UINT32) {
        t |= (bytes[o + 2] & 0xff) << 16 | (bytes[o + 3] & 0xff) << 24;
      }
      out[i] = t; // uint32 ids above 2^31 cannot occur: vocabularies are far smaller
    }
    return out;
  }
}
