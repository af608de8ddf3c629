package dytrain.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * sha256 over a shard's rows (doc id, token count, packed tokens), the same whether computed by the
 * writer or re-read by the validator, so content equality can be checked without comparing files.
 */
final class RowHasher {
  private final MessageDigest sha = newDigest();
  private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);

  void add(long docId, int numTokens, byte[] packedTokens) {
    header.clear();
    header.putLong(docId).putInt(numTokens);
    sha.update(header.array());
    sha.update(packedTokens);
  }

  String hex() {
    return HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java 17 runtime has SHA-256", e);
    }
  }
}
