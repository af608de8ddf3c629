package dytrain.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * Learns byte-level BPE merges from word counts (Sennrich et al. 2016; GPT-2's byte-level variant): start
 * from the 256 bytes, repeatedly merge the most frequent adjacent pair. Pair counts are updated only for
 * the words a merge touches, so the cost per merge follows how common the pair is, not the corpus size.
 * Counting the words is the parallel part and happens elsewhere (Spark); this runs on one machine.
 *
 * <p>Ids: 0..255 are the bytes (id = byte value), then merges in the order learned, then
 * {@code <|endoftext|>} last (BOS and EOS, as in GPT-2). Ties between equally frequent pairs go to the
 * pair of smaller ids, so the result is a pure function of the counts.
 */
public final class BpeLearner {
  public static final String END_OF_TEXT = "<|endoftext|>";

  private BpeLearner() {}

  /**
   * @param wordCounts pre-tokenized words ({@link ByteLevelPreTokenizer}) and how often each occurs
   * @param vocabSize total ids wanted, the byte alphabet and the end-of-text token included (>= 257)
   * @param onMerge called with the number of merges learned so far, for progress display
   */
  public static ByteLevelBpe learn(Map<String, Long> wordCounts, int vocabSize, String name, IntConsumer onMerge) {
    if (vocabSize < 257) {
      throw new IllegalArgumentException("vocab size " + vocabSize + " must be at least 257 (256 bytes + end-of-text)");
    }
    List<String> symbols = new ArrayList<>();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int b = 0; b < 256; b++) {
      String s = String.valueOf(ByteLevelAlphabet.charOf(b));
      symbols.add(s);
      vocab.put(s, b);
    }
    // sorted so the word numbering, and with it every tie, does not depend on the map's order
    TreeMap<String, Long> sorted = new TreeMap<>(wordCounts);
    int[][] words = new int[sorted.size()][];
    long[] counts = new long[sorted.size()];
    Map<Long, Long> pairCounts = new HashMap<>();
    Map<Long, Set<Integer>> where = new HashMap<>();
    int w = 0;
    for (Map.Entry<String, Long> e : sorted.entrySet()) {
      byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
      int[] ids = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xff;
      words[w] = ids;
      counts[w] = e.getValue();
      addPairs(w, ids, counts[w], pairCounts, where, null);
      w++;
    }
    PriorityQueue<long[]> queue = new PriorityQueue<>(BpeLearner::byCountThenIds);
    pairCounts.forEach((p, c) -> queue.add(new long[] {c, p}));

    List<String[]> merges = new ArrayList<>();
    while (vocab.size() < vocabSize - 1 && !queue.isEmpty()) {
      long[] top = queue.poll();
      long pair = top[1];
      long current = pairCounts.getOrDefault(pair, 0L);
      if (current != top[0]) {
        continue; // stale entry: the pair's count changed after it was queued
      }
      if (current <= 0) {
        break;
      }
      int left = (int) (pair >>> 32);
      int right = (int) pair;
      String merged = symbols.get(left) + symbols.get(right);
      Integer mergedId = vocab.get(merged);
      if (mergedId == null) {
        mergedId = symbols.size();
        symbols.add(merged);
        vocab.put(merged, mergedId);
      }
      merges.add(new String[] {symbols.get(left), symbols.get(right)});
      Set<Long> changed = new HashSet<>();
      for (int word : where.remove(pair).stream().sorted().toList()) {
        int[] ids = words[word];
        removePairs(ids, counts[word], pairCounts, changed);
        words[word] = mergeAll(ids, left, right, mergedId);
        addPairs(word, words[word], counts[word], pairCounts, where, changed);
      }
      pairCounts.remove(pair);
      for (long p : changed) {
        long c = pairCounts.getOrDefault(p, 0L);
        if (c > 0 && p != pair) queue.add(new long[] {c, p});
      }
      onMerge.accept(merges.size());
    }
    Map<String, Integer> specials = Map.of(END_OF_TEXT, vocab.size());
    int eos = vocab.size();
    return new ByteLevelBpe(name, vocab, merges, specials, false, eos, eos);
  }

  private static int byCountThenIds(long[] a, long[] b) {
    int byCount = Long.compare(b[0], a[0]);
    return byCount != 0 ? byCount : Long.compare(a[1], b[1]);
  }

  private static int[] mergeAll(int[] ids, int left, int right, int mergedId) {
    int[] out = new int[ids.length];
    int n = 0;
    for (int i = 0; i < ids.length; ) {
      if (i + 1 < ids.length && ids[i] == left && ids[i + 1] == right) {
        out[n++] = mergedId;
        i += 2;
      } else {
        out[n++] = ids[i++];
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static void addPairs(
      int word, int[] ids, long count, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> where, Set<Long> changed) {
    for (int i = 0; i + 1 < ids.length; i++) {
      long p = ((long) ids[i] << 32) | (ids[i + 1] & 0xffffffffL);
      pairCounts.merge(p, count, Long::sum);
      where.computeIfAbsent(p, k -> new HashSet<>()).add(word);
      if (changed != null) changed.add(p);
    }
  }

  private static void removePairs(int[] ids, long count, Map<Long, Long> pairCounts, Set<Long> changed) {
    for (int i = 0; i + 1 < ids.length; i++) {
      long p = ((long) ids[i] << 32) | (ids[i + 1] & 0xffffffffL);
      pairCounts.merge(p, -count, Long::sum);
      changed.add(p);
    }
  }
}
