package dytrain.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import dytrain.data.TokenDataset;
import dytrain.tokenizer.ByteLevelBpe;
import dytrain.tokenizer.ByteLevelPreTokenizer;
import dytrain.tokenizer.HfTokenizerJson;
import dytrain.train.DatasetTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
  static SparkSession spark;
  @TempDir Path dir;

  static final String[] TEXTS = {
    "In the beginning God created the heaven and the earth.\n\nAnd the earth was without form, and void.",
    "And God said, Let there be light: and there was light.\n\nAnd God saw the light, that it was good.",
    "Ça va? Très bien, merci. 中文 text too.\n\nNumbers 12 345 6789 and   spaces."
  };

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  Path corpus() throws Exception {
    Path c = dir.resolve("corpus");
    Files.createDirectories(c);
    for (int i = 0; i < TEXTS.length; i++) Files.writeString(c.resolve("f" + i + ".txt"), TEXTS[i]);
    return c;
  }

  @Test
  void sparkWordCountsEqualACountByHand() throws Exception {
    Map<String, Long> counted = BpeTrainer.countWords(BpeTrainer.Settings.of(List.of(corpus().toString()), 300), spark);
    assertEquals(3L, counted.get(" light")); // be light, was light, the light
    assertEquals(5L, counted.get(" the"));
    assertEquals(1L, counted.get("  ")); // GPT-2 split of 3 spaces + word: "  " then " spaces"
    assertEquals(1L, counted.get(" spaces"));
    assertEquals(1L, counted.get(" 中文"));
    Map<String, Long> byHand = new HashMap<>();
    for (String text : TEXTS) {
      for (String doc : text.split("\n\n")) {
        for (String w : ByteLevelPreTokenizer.split(doc)) byHand.merge(w, 1L, Long::sum);
      }
    }
    assertEquals(byHand, counted);
  }

  @Test
  void trainedTokenizerHasRequestedSizeAndRoundTripsCorpus() throws Exception {
    AtomicInteger merges = new AtomicInteger();
    ByteLevelBpe bpe = BpeTrainer.train(BpeTrainer.Settings.of(List.of(corpus().toString()), 300), spark, merges::set);
    assertEquals(300, bpe.vocabSize());
    assertEquals(43, merges.get());
    for (String text : TEXTS) {
      assertEquals(text, bpe.decode(bpe.encode(text)));
      assertTrue(bpe.encode(text).length < text.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void aDatasetMadeWithATokenizerFileCarriesACopyOfIt() throws Exception {
    Path tokenizer = dir.resolve("tok.json");
    String json = HfTokenizerJson.write(BpeTrainer.train(BpeTrainer.Settings.of(List.of(corpus().toString()), 280), spark, m -> {}));
    Files.writeString(tokenizer, json);
    Path out = dir.resolve("data");
    PrepJob.run(PrepSettings.of(List.of(corpus().toString()), out.toString(), tokenizer.toString()), spark);
    Files.delete(tokenizer); // the dataset must not depend on where the tokenizer was
    assertEquals(json, Files.readString(out.resolve("tokenizer.json")));
    var ds = TokenDataset.open(out.toString(), new Configuration());
    assertEquals("tokenizer.json", DatasetTokenizer.of(ds).files().keySet().iterator().next());
  }

  @Test
  void sameCorpusSplitDifferentlyLearnsTheSameFile() throws Exception {
    String one = HfTokenizerJson.write(BpeTrainer.train(BpeTrainer.Settings.of(List.of(corpus().toString()), 280), spark, m -> {}));
    Path joined = dir.resolve("joined.txt");
    Files.writeString(joined, String.join("\n\n", TEXTS));
    String other = HfTokenizerJson.write(BpeTrainer.train(BpeTrainer.Settings.of(List.of(joined.toString()), 280), spark, m -> {}));
    assertEquals(one, other);
  }

  @Test
  void tooSmallVocabularyIsRefused() {
    DytrainException e = assertThrows(DytrainException.class, () -> BpeTrainer.Settings.of(List.of("x"), 100));
    assertTrue(e.getMessage().contains("--vocab-size 100"), e.getMessage());
  }
}
