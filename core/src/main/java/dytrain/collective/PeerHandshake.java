package dytrain.collective;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge-response over a fresh connection: each side sends a random nonce and proves it holds
 * the job's secret with HMAC-SHA256(secret, nonce || rank), so a stray or hostile connection to a rank's
 * port is refused without ever seeing the secret or a tensor.
 */
final class PeerHandshake {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE = 32;

  private PeerHandshake() {}

  /** The accepting side: returns the rank the peer proved, or throws if it could not. */
  static int accept(DataInputStream in, DataOutputStream out, byte[] secret, int myRank) throws IOException {
    byte[] nonce = nonce();
    out.write(nonce);
    out.flush();
    int peerRank = in.readInt();
    byte[] proof = in.readNBytes(NONCE);
    byte[] peerNonce = in.readNBytes(NONCE);
    if (!MessageDigest.isEqual(proof, mac(secret, nonce, peerRank))) {
      throw new IOException("the peer failed to prove the job secret");
    }
    out.write(mac(secret, peerNonce, myRank));
    out.flush();
    return peerRank;
  }

  /** The connecting side: proves its rank, then checks the server's proof. */
  static void connect(DataInputStream in, DataOutputStream out, byte[] secret, int myRank, int serverRank) throws IOException {
    byte[] nonce = in.readNBytes(NONCE);
    byte[] myNonce = nonce();
    out.writeInt(myRank);
    out.write(mac(secret, nonce, myRank));
    out.write(myNonce);
    out.flush();
    byte[] proof = in.readNBytes(NONCE);
    if (!MessageDigest.isEqual(proof, mac(secret, myNonce, serverRank))) {
      throw new IOException("rank " + serverRank + " failed to prove the job secret");
    }
  }

  static byte[] nonce() {
    byte[] n = new byte[NONCE];
    RANDOM.nextBytes(n);
    return n;
  }

  static byte[] mac(byte[] secret, byte[] nonce, int rank) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(nonce);
      mac.update(new byte[] {(byte) (rank >>> 24), (byte) (rank >>> 16), (byte) (rank >>> 8), (byte) rank});
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new random job secret. */
  static byte[] newSecret() {
    byte[] s = new byte[32];
    RANDOM.nextBytes(s);
    return s;
  }
}
