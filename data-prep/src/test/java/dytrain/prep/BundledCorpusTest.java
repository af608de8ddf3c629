package dytrain.prep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dytrain.data.DatasetValidator;
import dytrain.data.TokenDataset;
import dytrain.tokenizer.ByteLevelBpe;
import dytrain.tokenizer.TiktokenTokenizer;
import dytrain.tokenizer.Tokenizers;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What quickstart does: learn a 2048-token BPE on the bundled King James Bible and prep it. */
class BundledCorpusTest {
  static final String CORPUS = "corpus/kjv.txt.gz";
  static SparkSession spark;
  static ByteLevelBpe bpe;
  static List<String> chapters;
  @TempDir static Path dir;

  @BeforeAll
  static void learn() throws Exception {
    spark = SparkTestSession.start();
    bpe = BpeTrainer.train(BpeTrainer.Settings.of(List.of(CORPUS), 2048), spark, m -> {});
    Tokenizers.save(bpe, dir.resolve("kjv.json"));
    try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(CORPUS)))) {
      chapters = Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n\n"));
    }
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void corpusHoldsTheWholeBibleOneChapterPerBlankLineBlock() {
    assertEquals(1189, chapters.size());
    assertTrue(chapters.get(0).startsWith("Ge1:1 In the beginning God created the heaven and the earth."));
    assertTrue(chapters.get(1188).endsWith("Rev22:21 The grace of our Lord Jesus Christ be with you all. Amen."));
  }

  @Test
  void learnedIdsEqualHuggingFaceOnEveryChapter() throws Exception {
    try (HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(dir.resolve("kjv.json"))
            .optAddSpecialTokens(false)
            .optTruncation(false)
            .optPadding(false)
            .build()) {
      for (String chapter : chapters) {
        int[] ours = bpe.encode(chapter);
        assertArrayEquals(hf.encode(chapter).getIds(), Arrays.stream(ours).asLongStream().toArray(), chapter.substring(0, 12));
        assertEquals(chapter, bpe.decode(ours));
      }
    }
  }

  @Test
  void cachedTiktokenIdsEqualJtokkitOnEveryChapter() {
    for (String spec : List.of("gpt2", "cl100k_base", "o200k_base")) {
      TiktokenTokenizer tokenizer = (TiktokenTokenizer) Tokenizers.load(spec);
      for (String chapter : chapters) {
        assertArrayEquals(tokenizer.encoding().encodeOrdinary(chapter).toArray(), tokenizer.encode(chapter), spec + " " + chapter.substring(0, 12));
      }
    }
  }

  @Test
  void prepOfBundledCorpusGivesOneDocumentPerChapterAndValidates() throws Exception {
    Path out = dir.resolve("kjv");
    PrepJob.PrepResult r =
        PrepJob.run(PrepSettings.of(List.of(CORPUS), out.toString(), dir.resolve("kjv.json").toString()).withValFraction(0.05), spark);
    assertEquals(1189, r.manifest().totals().documents());
    long expectedTokens = chapters.stream().mapToLong(c -> bpe.encode(c).length + 1).sum();
    assertEquals(expectedTokens, r.manifest().totals().tokens());
    assertEquals(List.of(), DatasetValidator.validate(TokenDataset.open(out.toString(), new Configuration()), s -> {}));
  }
}
