package dytrain.prep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.data.DatasetValidator;
import dytrain.data.Manifest;
import dytrain.data.TokenDataset;
import dytrain.data.TokenRow;
import dytrain.data.TokenShardReader;
import dytrain.tokenizer.ByteTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prep job on real Spark (local[2]) and real Parquet: output content, determinism, resume. */
class PrepJobTest {
  static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /** Four text inputs of chapters separated by blank lines; returns each input's expected documents. */
  List<List<String>> writeCorpus(Path corpus) throws Exception {
    Files.createDirectories(corpus);
    List<List<String>> docs = new ArrayList<>();
    for (int f = 0; f < 4; f++) {
      List<String> fileDocs = new ArrayList<>();
      for (int d = 0; d < 5 + f; d++) {
        fileDocs.add("File " + f + " chapter " + d + ".\nAnd it came to pass, ünïcödé " + "verse ".repeat(d + 1));
      }
      Files.writeString(corpus.resolve("part-" + f + ".txt"), String.join("\n\n", fileDocs) + "\n");
      docs.add(fileDocs);
    }
    return docs;
  }

  PrepSettings settings(Path corpus, Path out) {
    return PrepSettings.of(List.of(corpus.toString()), out.toString(), "byte").withShardTokens(200);
  }

  static Map<String, byte[]> snapshot(Path out) throws Exception {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> s = Files.list(out)) {
      for (Path p : s.filter(p -> p.getFileName().toString().matches("manifest\\.json|.*\\.parquet")).toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name + " differs"));
  }

  static List<TokenRow> rows(Path out, String split) throws Exception {
    TokenDataset ds = TokenDataset.open(out.toString(), new Configuration());
    List<TokenRow> rows = new ArrayList<>();
    for (Manifest.Shard shard : ds.manifest().split(split).shards()) {
      try (TokenShardReader r = ds.openShard(shard)) {
        for (TokenRow row; (row = r.next()) != null; ) rows.add(row);
      }
    }
    return rows;
  }

  @Test
  void shardsHoldEveryDocumentTokenizedWithEosInInputOrder() throws Exception {
    List<List<String>> docs = writeCorpus(dir.resolve("corpus"));
    Path out = dir.resolve("out");
    PrepJob.PrepResult result = PrepJob.run(settings(dir.resolve("corpus"), out), spark);
    assertEquals(4, result.inputsRun());

    List<TokenRow> rows = rows(out, "train");
    List<Long> expectedIds = new ArrayList<>();
    List<String> expectedText = new ArrayList<>();
    for (int f = 0; f < docs.size(); f++) {
      for (int d = 0; d < docs.get(f).size(); d++) {
        expectedIds.add(f * 1_000_000_000L + d);
        expectedText.add(docs.get(f).get(d));
      }
    }
    assertEquals(expectedIds, rows.stream().map(TokenRow::docId).toList());
    for (int i = 0; i < rows.size(); i++) {
      int[] t = rows.get(i).tokens();
      assertEquals(ByteTokenizer.EOS, t[t.length - 1], "each document ends with EOS");
      byte[] utf8 = new byte[t.length - 1];
      for (int j = 0; j < utf8.length; j++) utf8[j] = (byte) t[j];
      assertEquals(expectedText.get(i), new String(utf8, StandardCharsets.UTF_8));
    }
    Manifest m = result.manifest();
    assertEquals(expectedIds.size(), m.totals().documents());
    assertEquals("uint16", m.tokenDtype().jsonName());
    assertEquals(258, m.tokenizer().vocabSize());
    assertTrue(m.split("train").shards().size() > 4, "200-token shards: inputs roll over into several shards");
    assertEquals(List.of(), DatasetValidator.validate(TokenDataset.open(out.toString(), new Configuration()), s -> {}));
    assertFalse(Files.exists(out.resolve("_tmp")));
  }

  @Test
  void outputIsByteIdenticalWhateverThePartitionCount() throws Exception {
    writeCorpus(dir.resolve("corpus"));
    PrepSettings base = settings(dir.resolve("corpus"), dir.resolve("a")).withValFraction(0.3);
    PrepJob.PrepResult one = PrepJob.run(base.withPartitions(1), spark);
    PrepJob.PrepResult three = PrepJob.run(base.withOutput(dir.resolve("b").toString()).withPartitions(3), spark);
    assertEquals(one.manifest().contentHash(), three.manifest().contentHash());
    assertSameFiles(snapshot(dir.resolve("a")), snapshot(dir.resolve("b")));
    assertTrue(one.manifest().split("val").documents() > 0, "30% of 26 documents go to val");
    assertEquals(26, one.manifest().totals().documents());
  }

  /** Every token of every document, in document-id order: train and val together. */
  static List<Integer> tokenStream(Path out) throws Exception {
    List<TokenRow> all = new ArrayList<>(rows(out, "train"));
    all.addAll(rows(out, "val"));
    all.sort(Comparator.comparingLong(TokenRow::docId));
    List<Integer> tokens = new ArrayList<>();
    for (TokenRow r : all) {
      for (int t : r.tokens()) tokens.add(t);
    }
    return tokens;
  }

  @Test
  void largeFilesReadInPartsGiveTheSameTokensInTheSameOrder() throws Exception {
    writeCorpus(dir.resolve("corpus"));
    PrepSettings base = settings(dir.resolve("corpus"), dir.resolve("whole")).withValFraction(0.3).withSplitBytes(0);
    PrepJob.PrepResult whole = PrepJob.run(base, spark);
    PrepSettings cut = base.withSplitBytes(64).withOutput(dir.resolve("parts").toString());
    PrepJob.PrepResult parts = PrepJob.run(cut, spark);
    assertTrue(parts.inputsRun() > 3 * whole.inputsRun(), parts.inputsRun() + " parts of 4 files");
    assertEquals(whole.manifest().totals().documents(), parts.manifest().totals().documents());
    assertEquals(tokenStream(dir.resolve("whole")), tokenStream(dir.resolve("parts")));
    assertEquals(List.of(), DatasetValidator.validate(TokenDataset.open(dir.resolve("parts").toString(), new Configuration()), s -> {}));
    // the parts depend on the setting, not the cluster: any partition count writes the same bytes
    PrepJob.run(cut.withPartitions(2).withOutput(dir.resolve("parts2").toString()), spark);
    assertSameFiles(snapshot(dir.resolve("parts")), snapshot(dir.resolve("parts2")));
  }

  @Test
  void rerunOfFinishedJobIsNoOpUnlessOverwrite() throws Exception {
    writeCorpus(dir.resolve("corpus"));
    Path out = dir.resolve("out");
    PrepSettings s = settings(dir.resolve("corpus"), out);
    PrepJob.run(s, spark);
    Map<String, byte[]> first = snapshot(out);
    long manifestTime = Files.getLastModifiedTime(out.resolve("manifest.json")).toMillis();
    Thread.sleep(20);

    PrepJob.PrepResult again = PrepJob.run(s, spark);
    assertTrue(again.alreadyComplete());
    assertEquals(0, again.inputsRun());
    assertEquals(manifestTime, Files.getLastModifiedTime(out.resolve("manifest.json")).toMillis());

    PrepJob.PrepResult redone = PrepJob.run(s.withOverwrite(true), spark);
    assertEquals(4, redone.inputsRun());
    assertSameFiles(first, snapshot(out));
  }

  @Test
  void resumeAfterLostShardRedoesOnlyThatInput() throws Exception {
    writeCorpus(dir.resolve("corpus"));
    Path out = dir.resolve("out");
    PrepSettings s = settings(dir.resolve("corpus"), out);
    PrepJob.run(s, spark);
    Map<String, byte[]> complete = snapshot(out);

    Files.delete(out.resolve("train-00002-0001.parquet"));
    PrepJob.PrepResult resumed = PrepJob.run(s, spark);
    assertEquals(1, resumed.inputsRun());
    assertEquals(3, resumed.inputsReused());
    assertSameFiles(complete, snapshot(out));
  }

  @Test
  void resumeAfterLostManifestRewritesItWithoutTokenizing() throws Exception {
    writeCorpus(dir.resolve("corpus"));
    Path out = dir.resolve("out");
    PrepSettings s = settings(dir.resolve("corpus"), out);
    PrepJob.run(s, spark);
    Map<String, byte[]> complete = snapshot(out);

    Files.delete(out.resolve("manifest.json"));
    PrepJob.PrepResult resumed = PrepJob.run(s, spark);
    assertEquals(0, resumed.inputsRun());
    assertFalse(resumed.alreadyComplete());
    assertSameFiles(complete, snapshot(out));
  }

  @Test
  void resumeAfterCrashMidJobCompletesOnlyUnfinishedInputs() throws Exception {
    writeCorpus(dir.resolve("corpus"));
    Path out = dir.resolve("out");
    PrepSettings s = settings(dir.resolve("corpus"), out);
    PrepJob.run(s, spark);
    Map<String, byte[]> complete = snapshot(out);

    // What a kill during input 1 and input 3 leaves: no manifest, no result files for them, a shard
    // renamed into place, a half-written temporary shard, and a later shard never written.
    Files.delete(out.resolve("manifest.json"));
    Files.delete(out.resolve("_inputs/input-00001.json"));
    Files.delete(out.resolve("_inputs/input-00003.json"));
    Files.createDirectories(out.resolve("_tmp"));
    Files.write(out.resolve("_tmp/train-00003-0001.parquet.attempt-7"), new byte[] {'P', 'A', 'R', '1', 0, 1});
    try (Stream<Path> shards = Files.list(out)) {
      for (Path p : shards.filter(p -> p.getFileName().toString().startsWith("train-00003-")).toList()) {
        if (!p.getFileName().toString().endsWith("-0000.parquet")) Files.delete(p);
      }
    }
    Files.write(out.resolve("train-00001-0000.parquet"), Arrays.copyOf(complete.get("train-00001-0000.parquet"), 100));

    PrepJob.PrepResult resumed = PrepJob.run(s, spark);
    assertEquals(2, resumed.inputsRun());
    assertSameFiles(complete, snapshot(out));
    assertFalse(Files.exists(out.resolve("_tmp")));
  }

  @Test
  void valSplitIsAPureFunctionOfSeedAndDocument() throws Exception {
    writeCorpus(dir.resolve("corpus"));
    PrepSettings s = settings(dir.resolve("corpus"), dir.resolve("out")).withValFraction(0.5);
    PrepJob.PrepResult r = PrepJob.run(s, spark);
    List<Long> val = rows(dir.resolve("out"), "val").stream().map(TokenRow::docId).distinct().toList();
    List<Long> train = rows(dir.resolve("out"), "train").stream().map(TokenRow::docId).distinct().toList();
    for (long id : val) assertTrue(ValSplit.isVal(0, id, 0.5));
    for (long id : train) assertFalse(ValSplit.isVal(0, id, 0.5));
    assertEquals(26, val.size() + train.size());
    assertEquals(val.size(), r.manifest().split("val").documents());
  }
}
