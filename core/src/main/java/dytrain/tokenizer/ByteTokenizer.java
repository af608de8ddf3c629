package dytrain.tokenizer;

import dytrain.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The UTF-8 bytes themselves (ids 0..255) plus BOS = 256 and EOS = 257: no training, no vocabulary file. */
public final class ByteTokenizer implements Tokenizer {
  public static final int BOS = 256;
  public static final int EOS = 257;

  @Override
  public String name() {
    return "byte";
  }

  @Override
  public int vocabSize() {
    return 258;
  }

  @Override
  public int bosId() {
    return BOS;
  }

  @Override
  public int eosId() {
    return EOS;
  }

  @Override
  public String definitionHash() {
    return Sha256.hex("byte-utf8;bos=256;eos=257");
  }

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder out = new StringBuilder();
    ByteArrayOutputStream run = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id < 256) {
        run.write(id);
        continue;
      }
      out.append(run.toString(StandardCharsets.UTF_8));
      run.reset();
      out.append(id == BOS ? "<|bos|>" : id == EOS ? "<|endoftext|>" : "<|" + id + "|>");
    }
    return out.append(run.toString(StandardCharsets.UTF_8)).toString();
  }
}
