package dytrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dytrain.data.PackedSequences;
import dytrain.data.TokenDataset;
import dytrain.data.TokenRow;
import dytrain.data.TrainingBatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleOrderTest {

  @TempDir static Path data;
  static TokenDataset dataset;

  @BeforeAll
  static void write() throws Exception {
    TinyDataset.write(data, 64, 25, 4, 5);
    dataset = TokenDataset.open(data.toString(), new Configuration());
  }

  static PackedSequences windows(long seed) {
    return PackedSequences.shuffled(dataset, "train", 17, seed, 64);
  }

  @Test
  void globalBatchesAreTheSameForAnyNumberOfRanks() {
    var one = new TrainingBatches(windows(1), 8, 2, 0, 1);
    var twoA = new TrainingBatches(windows(1), 8, 2, 0, 2);
    var twoB = new TrainingBatches(windows(1), 8, 2, 1, 2);
    var fourRanks = new ArrayList<TrainingBatches>();
    for (int r = 0; r < 4; r++) {
      fourRanks.add(new TrainingBatches(windows(1), 8, 2, r, 4));
    }
    for (long step = 0; step < 12; step++) { // more than an epoch: the order goes on into epoch 2
      List<int[]> single = flatten(one.microBatches(step));
      List<int[]> pair = flatten(twoA.microBatches(step));
      pair.addAll(flatten(twoB.microBatches(step)));
      List<int[]> four = new ArrayList<>();
      for (var r : fourRanks) {
        four.addAll(flatten(r.microBatches(step)));
      }
      assertEquals(8, single.size());
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(single.get(i), pair.get(i), "step " + step + " sequence " + i + " with 2 ranks");
        assertArrayEquals(single.get(i), four.get(i), "step " + step + " sequence " + i + " with 4 ranks");
      }
    }
  }

  @Test
  void resumingAtAStepReadsWhatAnUninterruptedReaderReads() {
    var uninterrupted = new TrainingBatches(windows(3), 4, 4, 0, 1);
    List<int[]> expected = new ArrayList<>();
    for (long step = 0; step < 9; step++) {
      expected.addAll(flatten(uninterrupted.microBatches(step)));
    }
    var resumed = new TrainingBatches(windows(3), 4, 4, 0, 1);
    List<int[]> actual = flatten(resumed.microBatches(8));
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(expected.get(32 + i), actual.get(i));
    }
  }

  /** 3 steps of 4 sequences, then a resume with a global batch of 8: the next batch starts at sequence 12. */
  @Test
  void aResumeWithAnotherGlobalBatchStartsAtTheRecordedWindow() {
    var before = new TrainingBatches(windows(3), 4, 4, 0, 1);
    List<int[]> read = new ArrayList<>();
    for (long step = 0; step < 3; step++) read.addAll(flatten(before.microBatches(step)));
    var after = new TrainingBatches(windows(3), 8, 4, 0, 1).resumingAt(3, 12);
    for (long step = 3; step < 5; step++) read.addAll(flatten(after.microBatches(step)));
    var reference = new TrainingBatches(windows(3), 28, 4, 0, 1); // all 28 sequences in one batch
    List<int[]> expected = flatten(reference.microBatches(0));
    assertEquals(expected.size(), read.size());
    for (int i = 0; i < read.size(); i++) assertArrayEquals(expected.get(i), read.get(i), "sequence " + i);
  }

  /** One epoch is every stored token exactly once (but the tail that does not fill a window), reordered. */
  @Test
  void anEpochIsAPermutationOfTheStoredTokens() throws Exception {
    PackedSequences w = windows(9);
    Map<Integer, Integer> stored = new HashMap<>();
    long total = 0;
    for (var shard : dataset.manifest().split("train").shards()) {
      try (var reader = dataset.openShard(shard)) {
        for (TokenRow row; (row = reader.next()) != null; ) {
          for (int id : row.tokens()) {
            stored.merge(id, 1, Integer::sum);
            total++;
          }
        }
      }
    }
    Map<Integer, Integer> read = new HashMap<>();
    for (long i = 0; i < w.windowsPerEpoch(); i++) {
      for (int id : w.window(i)) {
        read.merge(id, 1, Integer::sum);
      }
    }
    assertEquals(total / 17, w.windowsPerEpoch());
    long missing = 0;
    for (var e : stored.entrySet()) {
      int diff = e.getValue() - read.getOrDefault(e.getKey(), 0);
      assertEquals(true, diff >= 0, "token " + e.getKey() + " read more often than stored");
      missing += diff;
    }
    assertEquals(total % 17, missing, "only the tail is left out");
    assertNotEquals(Arrays.toString(w.window(0)), Arrays.toString(windows(10).window(0)),
        "another seed gives another order");
    assertNotEquals(Arrays.toString(w.window(0)), Arrays.toString(w.window(w.windowsPerEpoch())),
        "the next epoch is shuffled anew");
  }

  static List<int[]> flatten(List<int[][]> micro) {
    List<int[]> out = new ArrayList<>();
    for (int[][] m : micro) {
      out.addAll(List.of(m));
    }
    return out;
  }
}
