package dytrain.data;

import dytrain.io.Sha256;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;

/**
 * sha256 over a shard's rows (doc id, token count, packed tokens), the same whether computed by the
 * writer or re-read by the validator, so content equality can be checked without comparing files.
 */
final class RowHasher {
  private final MessageDigest sha = Sha256.digest();
  private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);

  void add(long docId, int numTokens, byte[] packedTokens) {
    header.clear();
    header.putLong(docId).putInt(numTokens);
    sha.update(header.array());
    sha.update(packedTokens);
  }

  String hex() {
    return Sha256.hex(sha);
  }
}
