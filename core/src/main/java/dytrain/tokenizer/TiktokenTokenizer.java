package dytrain.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import dytrain.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's fixed BPE vocabularies through jtokkit (bundled in its jar, so nothing downloads). Uses
 * {@code encodeOrdinary}: jtokkit's {@code encode} throws on text that spells a special token. BOS and EOS
 * are both {@code <|endoftext|>}, as in GPT-2.
 */
public final class TiktokenTokenizer implements Tokenizer {

  /** The vocabularies offered, with their sizes and end-of-text ids (from tiktoken's definitions). */
  public enum Vocabulary {
    GPT2("gpt2", EncodingType.R50K_BASE, 50257, 50256, 50256, PieceSplitter.R50K),
    CL100K_BASE("cl100k_base", EncodingType.CL100K_BASE, 100277, 100257, 100256, PieceSplitter.CL100K),
    O200K_BASE("o200k_base", EncodingType.O200K_BASE, 200019, 199999, 199998, PieceSplitter.regex(
        "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"));

    final String spec;
    final EncodingType type;
    final int vocabSize;
    final int endOfText;
    /** Ids [0, ordinary) are byte-pair tokens; above them lie special tokens, with gaps between. */
    final int ordinary;
    /** Cuts text as jtokkit 1.1.0's split pattern for this encoding does. */
    final PieceSplitter pieces;
    /** Each thread's encoder with its cache of pieces' ids (Spark reuses task threads, so caches stay warm). */
    private final ThreadLocal<PieceCachingEncoder> encoders;

    Vocabulary(String spec, EncodingType type, int vocabSize, int endOfText, int ordinary, PieceSplitter pieces) {
      this.spec = spec;
      this.type = type;
      this.vocabSize = vocabSize;
      this.endOfText = endOfText;
      this.ordinary = ordinary;
      this.pieces = pieces;
      this.encoders = ThreadLocal.withInitial(() -> new PieceCachingEncoder(pieces, encodingOf(this)));
    }
  }

  // Loading a vocabulary parses megabytes of ranks: do it once per JVM, Spark tasks share it.
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final Map<Vocabulary, Encoding> LOADED = new ConcurrentHashMap<>();

  private final Vocabulary vocabulary;

  public TiktokenTokenizer(Vocabulary vocabulary) {
    this.vocabulary = vocabulary;
  }

  /** The jtokkit encoding itself, for benchmarks that compare against raw {@code encodeOrdinary}. */
  public Encoding encoding() {
    return encodingOf(vocabulary);
  }

  private static Encoding encodingOf(Vocabulary vocabulary) {
    return LOADED.computeIfAbsent(vocabulary, v -> REGISTRY.getEncoding(v.type));
  }

  @Override
  public String name() {
    return vocabulary.spec;
  }

  @Override
  public int vocabSize() {
    return vocabulary.vocabSize;
  }

  @Override
  public int bosId() {
    return vocabulary.endOfText;
  }

  @Override
  public int eosId() {
    return vocabulary.endOfText;
  }

  /** Byte-pair tokens and end-of-text: what {@link #decode} takes. */
  @Override
  public boolean canDecode(int id) {
    return (id >= 0 && id < vocabulary.ordinary) || id == vocabulary.endOfText;
  }

  @Override
  public String definitionHash() {
    return Sha256.hex("tiktoken:" + vocabulary.type.getName() + ";n_vocab=" + vocabulary.vocabSize);
  }

  @Override
  public int[] encode(String text) {
    return vocabulary.encoders.get().encode(text);
  }

  @Override
  public String decode(int[] ids) {
    // Decode runs of ordinary ids as bytes so multi-byte characters split across tokens join up.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    IntArrayList run = new IntArrayList();
    for (int id : ids) {
      if (id == vocabulary.endOfText) {
        flush(run, out);
        out.writeBytes("<|endoftext|>".getBytes(StandardCharsets.UTF_8));
      } else {
        run.add(id);
      }
    }
    flush(run, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private void flush(IntArrayList run, ByteArrayOutputStream out) {
    if (!run.isEmpty()) {
      out.writeBytes(encoding().decodeBytes(run));
      run.clear();
    }
  }
}
