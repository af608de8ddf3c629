package dytrain.tokenizer;

import java.io.Serializable;

/**
 * Text to token ids and back. {@link #encode} never emits special tokens, even when the text spells one
 * ("<|endoftext|>" in a web page is text, not a document boundary); callers add BOS/EOS ids themselves.
 * Serializable so a Spark job can ship the tokenizer to its tasks.
 */
public interface Tokenizer extends Serializable {

  /** Short name recorded in the manifest: "gpt2", "cl100k_base", "byte", or "bpe:&lt;file name&gt;". */
  String name();

  /** One more than the largest id this tokenizer can produce, special tokens included. */
  int vocabSize();

  int bosId();

  int eosId();

  /** Whether {@link #decode} knows {@code id}: some vocabularies leave gaps below {@link #vocabSize}. */
  default boolean canDecode(int id) {
    return id >= 0 && id < vocabSize();
  }

  /** sha256 (hex) of what defines the mapping, so a trainer can tell two same-named tokenizers apart. */
  String definitionHash();

  int[] encode(String text);

  /** Inverse of {@link #encode}; special ids decode to their text form. */
  String decode(int[] ids);
}
