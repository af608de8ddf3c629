package dytrain.data;

import dytrain.config.DytrainException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The sample order of ARCHITECTURE.md. An epoch's token stream is every row of a split (rows already end in EOS
 * when prep appended it), shards in an order shuffled by (seed, epoch) and rows inside a shard shuffled by
 * (seed, epoch, shard); the stream is cut into windows of seq_len + 1 tokens and the tail that does not
 * fill a window is dropped. Window i is a pure function of (seed, manifest, i): resuming reads window i
 * directly, and no reader holds more than two shards in memory.
 */
public final class PackedSequences {

  private final TokenDataset dataset;
  private final List<Manifest.Shard> shards;
  private final int windowLength;
  private final long seed;
  private final boolean shuffle;
  private final int vocabSize;
  private final long windowsPerEpoch;
  private final Map<String, int[]> cache = new LinkedHashMap<>(4, 0.75f, true);

  /**
   * Training's order: shards and rows shuffled by {@code seed} and the epoch.
   *
   * @param windowLength seq_len + 1 (inputs and their shifted targets)
   * @param vocabSize the model's; a token id at or above it is an error naming the shard
   */
  public static PackedSequences shuffled(TokenDataset dataset, String split, int windowLength, long seed, int vocabSize) {
    return new PackedSequences(dataset, split, windowLength, seed, true, vocabSize);
  }

  /** Evaluation's order: shards and rows as stored, the same every time. */
  public static PackedSequences inStoredOrder(TokenDataset dataset, String split, int windowLength, int vocabSize) {
    return new PackedSequences(dataset, split, windowLength, 0, false, vocabSize);
  }

  private PackedSequences(TokenDataset dataset, String split, int windowLength, long seed, boolean shuffle, int vocabSize) {
    this.dataset = dataset;
    this.shards = dataset.manifest().split(split).shards();
    this.windowLength = windowLength;
    this.seed = seed;
    this.shuffle = shuffle;
    this.vocabSize = vocabSize;
    long tokens = dataset.manifest().split(split).tokens();
    this.windowsPerEpoch = tokens / windowLength;
    if (windowsPerEpoch == 0) {
      throw new DytrainException("split '" + split + "' of dataset " + dataset.dir() + " holds " + tokens
          + " tokens, fewer than one sequence of " + windowLength);
    }
  }

  public long windowsPerEpoch() {
    return windowsPerEpoch;
  }

  /** Window {@code index} of the run (epochs follow each other): windowLength token ids. */
  public int[] window(long index) {
    long epoch = index / windowsPerEpoch;
    long offset = (index % windowsPerEpoch) * windowLength;
    int[] order = shardOrder(epoch);
    int[] out = new int[windowLength];
    int filled = 0;
    int k = 0;
    while (offset >= shards.get(order[k]).tokens()) {
      offset -= shards.get(order[k]).tokens();
      k++;
    }
    while (filled < windowLength) {
      int[] stream = shardStream(epoch, order[k]);
      int n = (int) Math.min(windowLength - filled, stream.length - offset);
      System.arraycopy(stream, (int) offset, out, filled, n);
      filled += n;
      offset = 0;
      k++;
    }
    return out;
  }

  private int[] shardOrder(long epoch) {
    int[] order = identity(shards.size());
    if (shuffle) {
      permute(order, new SplittableRandom(mix(seed, epoch, -1)));
    }
    return order;
  }

  private int[] shardStream(long epoch, int shard) {
    String key = (shuffle ? epoch : 0) + "/" + shard;
    int[] stream = cache.get(key);
    if (stream == null) {
      stream = load(epoch, shard);
      cache.put(key, stream);
      if (cache.size() > 2) {
        cache.remove(cache.keySet().iterator().next());
      }
    }
    return stream;
  }

  private int[] load(long epoch, int shardIndex) {
    Manifest.Shard shard = shards.get(shardIndex);
    List<int[]> rows = new ArrayList<>();
    try (TokenShardReader reader = dataset.openShard(shard)) {
      long row = 0;
      for (TokenRow r; (r = reader.next()) != null; row++) {
        for (int id : r.tokens()) {
          if (id >= vocabSize) {
            throw new DytrainException("shard " + dataset.shardPath(shard) + " row " + row + " (doc " + r.docId()
                + "): token id " + id + " is not below model.vocab_size = " + vocabSize);
          }
        }
        rows.add(r.tokens());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading shard " + dataset.shardPath(shard), e);
    }
    int[] order = identity(rows.size());
    if (shuffle) {
      permute(order, new SplittableRandom(mix(seed, epoch, shardIndex)));
    }
    int[] stream = new int[Math.toIntExact(shard.tokens())];
    int at = 0;
    for (int i : order) {
      int[] r = rows.get(i);
      if (at + r.length > stream.length) {
        throw new DytrainException("shard " + dataset.shardPath(shard) + " holds more tokens than its manifest's "
            + shard.tokens());
      }
      System.arraycopy(r, 0, stream, at, r.length);
      at += r.length;
    }
    if (at != stream.length) {
      throw new DytrainException("shard " + dataset.shardPath(shard) + " holds " + at + " tokens, its manifest says "
          + shard.tokens());
    }
    return stream;
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** Fisher-Yates with a seeded SplittableRandom: the same permutation on every JVM. */
  private static void permute(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static long mix(long seed, long epoch, long shard) {
    long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + shard * 0x165667B19E3779F9L;
    return h ^ (h >>> 31);
  }
}
