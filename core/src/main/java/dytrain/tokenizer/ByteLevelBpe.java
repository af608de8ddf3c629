package dytrain.tokenizer;

import dytrain.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as Hugging Face defines it in tokenizer.json (GPT-2 style): split with the GPT-2 pattern,
 * write each word's UTF-8 bytes in the {@link ByteLevelAlphabet}, then apply the merges lowest rank
 * first. Our own Java encoder, so prep tasks need no native library; its ids equal those of Hugging Face's
 * tokenizer on the same file (tested against DJL's binding).
 */
public final class ByteLevelBpe implements Tokenizer {
  private static final int CACHE_LIMIT = 200_000;

  private final String name;
  private final Map<String, Integer> vocab; // symbol (alphabet-written) -> id
  private final List<String[]> merges; // in rank order
  private final Map<String, Integer> specials; // added special tokens: content -> id
  private final boolean ignoreMerges;
  private final int bosId;
  private final int eosId;
  private final int vocabSize;
  private final String[] symbolOf; // id -> symbol or special content
  private final Map<Long, int[]> mergeOf; // (left id, right id) -> {rank, merged id}
  private final String definitionHash;
  private transient Map<String, int[]> cache;

  public ByteLevelBpe(
      String name,
      Map<String, Integer> vocab,
      List<String[]> merges,
      Map<String, Integer> specials,
      boolean ignoreMerges,
      int bosId,
      int eosId) {
    this.name = name;
    this.vocab = Map.copyOf(vocab);
    this.merges = List.copyOf(merges);
    this.specials = Map.copyOf(specials);
    this.ignoreMerges = ignoreMerges;
    this.bosId = bosId;
    this.eosId = eosId;
    int max = -1;
    for (int id : vocab.values()) max = Math.max(max, id);
    for (int id : specials.values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    this.symbolOf = new String[vocabSize];
    vocab.forEach((symbol, id) -> symbolOf[id] = symbol);
    specials.forEach((content, id) -> symbolOf[id] = content);
    this.mergeOf = new HashMap<>();
    for (int rank = 0; rank < merges.size(); rank++) {
      String[] m = merges.get(rank);
      Integer left = vocab.get(m[0]);
      Integer right = vocab.get(m[1]);
      Integer merged = vocab.get(m[0] + m[1]);
      if (left == null || right == null || merged == null) {
        throw new IllegalArgumentException(
            "merge " + (rank + 1) + " '" + m[0] + " " + m[1] + "' uses a symbol missing from the vocab");
      }
      mergeOf.putIfAbsent(pair(left, right), new int[] {rank, merged});
    }
    this.definitionHash = hashDefinition();
  }

  public Map<String, Integer> vocab() {
    return vocab;
  }

  public List<String[]> merges() {
    return merges;
  }

  public Map<String, Integer> specials() {
    return specials;
  }

  public boolean ignoreMerges() {
    return ignoreMerges;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int bosId() {
    return bosId;
  }

  @Override
  public int eosId() {
    return eosId;
  }

  @Override
  public String definitionHash() {
    return definitionHash;
  }

  @Override
  public int[] encode(String text) {
    int[] out = new int[Math.max(16, text.length() / 2)];
    int n = 0;
    for (String word : ByteLevelPreTokenizer.split(text)) {
      int[] ids = encodeWord(word);
      if (n + ids.length > out.length) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length));
      }
      System.arraycopy(ids, 0, out, n, ids.length);
      n += ids.length;
    }
    return Arrays.copyOf(out, n);
  }

  private int[] encodeWord(String word) {
    Map<String, int[]> c = cache;
    if (c == null) {
      c = cache = new ConcurrentHashMap<>();
    }
    int[] cached = c.get(word);
    if (cached != null) {
      return cached;
    }
    int[] ids = mergeWord(ByteLevelAlphabet.encode(word.getBytes(StandardCharsets.UTF_8)));
    if (c.size() >= CACHE_LIMIT) {
      c.clear(); // bounded memory beats a perfect cache on a corpus with a long tail of words
    }
    c.put(word, ids);
    return ids;
  }

  /** Applies merges to one alphabet-written word: repeatedly merge the adjacent pair of lowest rank. */
  private int[] mergeWord(String symbols) {
    if (ignoreMerges) {
      Integer whole = vocab.get(symbols);
      if (whole != null) {
        return new int[] {whole};
      }
    }
    int[] ids = new int[symbols.length()];
    int n = 0;
    for (int i = 0; i < symbols.length(); i++) {
      Integer id = vocab.get(String.valueOf(symbols.charAt(i)));
      if (id != null) {
        ids[n++] = id; // a byte missing from the vocab is dropped, as Hugging Face does without unk_token
      }
    }
    while (n > 1) {
      int bestRank = Integer.MAX_VALUE;
      int bestAt = -1;
      int bestId = -1;
      for (int i = 0; i + 1 < n; i++) {
        int[] m = mergeOf.get(pair(ids[i], ids[i + 1]));
        if (m != null && m[0] < bestRank) {
          bestRank = m[0];
          bestAt = i;
          bestId = m[1];
        }
      }
      if (bestAt < 0) {
        break;
      }
      // merge every occurrence of the best pair, left to right
      int left = ids[bestAt];
      int right = ids[bestAt + 1];
      int w = bestAt;
      for (int r = bestAt; r < n; ) {
        if (r + 1 < n && ids[r] == left && ids[r + 1] == right) {
          ids[w++] = bestId;
          r += 2;
        } else {
          ids[w++] = ids[r++];
        }
      }
      n = w;
    }
    return Arrays.copyOf(ids, n);
  }

  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) {
      String symbol = id >= 0 && id < symbolOf.length ? symbolOf[id] : null;
      if (symbol == null) {
        throw new IllegalArgumentException("token id " + id + " is not in tokenizer " + name);
      }
      if (specials.containsKey(symbol) && specials.get(symbol) == id) {
        out.writeBytes(symbol.getBytes(StandardCharsets.UTF_8));
        continue;
      }
      for (int i = 0; i < symbol.length(); i++) {
        int b = ByteLevelAlphabet.byteOf(symbol.charAt(i));
        if (b >= 0) {
          out.write(b);
        }
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static long pair(int left, int right) {
    return ((long) left << 32) | (right & 0xffffffffL);
  }

  private String hashDefinition() {
    StringBuilder text = new StringBuilder("byte-level-bpe;ignore_merges=" + ignoreMerges + "\n");
    for (int id = 0; id < symbolOf.length; id++) {
      text.append(id).append('\t').append(symbolOf[id]).append('\n');
    }
    for (String[] m : merges) {
      text.append(m[0]).append(' ').append(m[1]).append('\n');
    }
    text.append("bos=").append(bosId).append(";eos=").append(eosId);
    return Sha256.hex(text.toString());
  }
}
