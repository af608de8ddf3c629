package dytrain.cli;

import ai.djl.Device;
import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import dytrain.data.PackedSequences;
import dytrain.data.TokenDataset;
import dytrain.data.UnigramEntropy;
import dytrain.export.CheckpointExport;
import dytrain.export.ModelExport;
import dytrain.model.Llama;
import dytrain.model.TextCompletion;
import dytrain.prep.BpeTrainer;
import dytrain.prep.PrepJob;
import dytrain.prep.PrepSettings;
import dytrain.spark.TrainJob;
import dytrain.tokenizer.Tokenizers;
import dytrain.train.DatasetTokenizer;
import dytrain.train.Evaluator;
import dytrain.train.RunStart;
import dytrain.train.RunSummary;
import dytrain.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole pipeline on the bundled corpus: learn a small BPE vocabulary, tokenize into shards (Spark
 * local mode), train a small LLaMA-DyT, then report validation loss before and after against the corpus's
 * unigram entropy, a generated sample and a loss plot. Rerunning resumes (or skips) every stage.
 */
@Command(name = "quickstart", description = "End to end on the bundled corpus: tokenizer, shards, training, sample.")
final class QuickstartCommand implements Callable<Integer> {

  @Option(names = "--config", defaultValue = "configs/quickstart.yaml") Path config;
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key") List<String> overrides = new ArrayList<>();
  @Option(names = "--corpus", defaultValue = "data-prep/corpus/kjv.txt.gz") String corpus;
  @Option(names = "--work-dir", defaultValue = "runs/quickstart") Path work;
  @Option(names = "--master", defaultValue = "local[*]") String master;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    Path tokenizerFile = work.resolve("tokenizer.json");
    Path data = work.resolve("data");
    List<String> all = new ArrayList<>(List.of("data.dataset=" + data));
    all.addAll(overrides);
    DytrainConfig c = ConfigLoader.load(config, all);

    SparkSession spark = DriverSession.start(master, "dytrain quickstart");
    try {
      if (!Files.isRegularFile(tokenizerFile)) {
        System.out.printf("[1/4] learning a byte-level BPE vocabulary of %d on %s%n", c.model().vocabSize(), corpus);
        var bpe = BpeTrainer.train(BpeTrainer.Settings.of(List.of(corpus), c.model().vocabSize()), spark, n -> {});
        Tokenizers.save(bpe, tokenizerFile);
      } else {
        System.out.printf("[1/4] tokenizer %s already learned%n", tokenizerFile);
      }
      System.out.printf("[2/4] tokenizing %s into Parquet shards in %s (Spark %s)%n", corpus, data, master);
      var prep = PrepJob.run(PrepSettings.of(List.of(corpus), data.toString(), tokenizerFile.toString())
          .withValFraction(0.05), spark, line -> System.out.println("      " + line));
      System.out.printf("      %,d documents, %,d tokens%n", prep.manifest().totals().documents(), prep.manifest().totals().tokens());
    } finally {
      spark.stop();
    }

    TokenDataset dataset = TrainingRun.openDataset(c, new Configuration());
    double unigram = UnigramEntropy.of(dataset, c.data().trainSplit());
    var evaluator = new Evaluator(PackedSequences.inStoredOrder(dataset, c.data().valSplit(), c.seqLen() + 1,
        c.model().vocabSize()), c.train().evalBatches(), c.train().microBatchSize());
    double before;
    try (Llama fresh = Llama.init(c.model(), c.seed())) {
      before = evaluator.meanLoss(fresh);
    }
    String runDir = work.resolve("run").toString();
    System.out.printf("[3/4] training (validation loss before: %.3f nats/token)%n", before);
    TrainCommand.describe(c, runDir);
    try (ConsoleProgress progress = new ConsoleProgress("train", c.train().steps(), System.out)) {
      TrainJob.run(new TrainJob.Request(c, runDir, RunStart.Resume.IF_PRESENT, null), progress, System.out);
    }
    var png = LossPlot.write(runDir, "dytrain quickstart: LLaMA-DyT on the King James Bible");

    System.out.println("[4/4] results");
    Path exportDir = work.resolve("model");
    CheckpointExport.export(runDir, exportDir.toString(), new Configuration());
    try (Llama trained = ModelExport.read(exportDir, Device.cpu())) {
      double after = evaluator.meanLoss(trained);
      RunSummary run = RunSummary.of(runDir, new Configuration());
      System.out.printf("validation loss: %.3f before training, %.3f after %d steps (%,d tokens)%n",
          before, after, run.steps(), run.tokens());
      System.out.printf("unigram entropy of the training tokens: %.3f nats/token (a model ignoring context); "
          + "the trained model is %.3f below it%n", unigram, unigram - after);
      var tokenizer = DatasetTokenizer.load(exportDir);
      String prompt = "And God said";
      String sample = TextCompletion.complete(trained, tokenizer, prompt, new TextCompletion.Sampling(60, 0.8, 40, 1));
      System.out.printf("sample: %s%s%n", prompt, sample);
    }
    System.out.printf("loss plot: %s; model: %s (./dytrain generate --model %s --prompt \"...\")%n",
        png, exportDir, exportDir);
    System.out.printf("quickstart took %.0f s%n", (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
