package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.data.DatasetValidator;
import dytrain.data.Manifest;
import dytrain.data.StoredDocuments;
import dytrain.data.TokenDataset;
import dytrain.tokenizer.Tokenizer;
import dytrain.tokenizer.Tokenizers;
import dytrain.train.DatasetTokenizer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "shards", description = "Look into a token dataset written by prep.",
    subcommands = {ShardsCommand.Inspect.class, ShardsCommand.Decode.class})
final class ShardsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "inspect", description = "Print the manifest summary and validate every shard against it.")
  static final class Inspect implements Runnable {
    @Parameters(paramLabel = "DIR", description = "Dataset folder (any Hadoop URI).")
    String dir;

    @Override
    public void run() {
      TokenDataset ds = TokenDataset.open(dir, new Configuration());
      Manifest m = ds.manifest();
      Manifest.TokenizerInfo t = m.tokenizer();
      System.out.printf("dataset    %s%n", dir);
      System.out.printf("tokenizer  %s, vocab %d, bos %d, eos %d, sha256 %s…%n", t.name(), t.vocabSize(), t.bosId(), t.eosId(), t.hash().substring(0, 12));
      System.out.printf("tokens     %s little-endian%n", m.tokenDtype().jsonName());
      System.out.printf("totals     %,d documents, %,d rows, %,d tokens%n", m.totals().documents(), m.totals().rows(), m.totals().tokens());
      System.out.printf("records    %,d skipped as bad, %,d with invalid UTF-8 repaired%n", m.totals().skippedRecords(), m.totals().invalidUtf8Records());
      for (Map.Entry<String, Manifest.Split> e : m.splits().entrySet()) {
        Manifest.Split s = e.getValue();
        System.out.printf("%-10s %,d documents, %,d tokens, %d shards%n", e.getKey(), s.documents(), s.tokens(), s.shards().size());
      }
      System.out.printf("inputs     %d file(s), %,d bytes%n", m.inputs().size(), m.inputs().stream().mapToLong(Manifest.InputFile::bytes).sum());
      if (m.prep() != null) {
        Manifest.Prep p = m.prep();
        System.out.printf("prep       --tokenizer %s --doc-split %s --text-field %s --val-fraction %s --seed %d --shard-tokens %d%s%n",
            p.tokenizerSpec(), p.docSplit(), p.textField(), p.valFraction(), p.seed(), p.shardTokens(), p.appendEos() ? "" : " --no-append-eos");
      }
      System.out.printf("content    sha256 %s%n", m.contentHash());
      int shards = m.splits().values().stream().mapToInt(s -> s.shards().size()).sum();
      List<String> problems;
      try (ProgressBar bar = ConsoleProgress.bar("validating shards", shards)) {
        problems = DatasetValidator.validate(ds, shard -> bar.step());
      }
      if (!problems.isEmpty()) {
        problems.forEach(p -> System.out.println("PROBLEM " + p));
        throw new DytrainException("dataset " + dir + " failed validation: " + problems.size() + " problem(s), listed above");
      }
      System.out.printf("valid      all %d shards readable; counts, content hashes and token ids < %d check out%n", shards, t.vocabSize());
    }
  }

  @Command(name = "decode", description = "Print the text of one document.")
  static final class Decode implements Runnable {
    @Parameters(paramLabel = "DIR", description = "Dataset folder (any Hadoop URI).")
    String dir;

    @Option(names = "--doc", required = true, paramLabel = "ID", description = "Document id (part index * 1e9 + document number in that part; a part is a whole input file unless prep cut it).")
    long docId;

    @Option(names = "--tokenizer", paramLabel = "T", description = "Tokenizer to decode with (default: the one prep recorded).")
    String tokenizerSpec;

    @Override
    public void run() {
      TokenDataset ds = TokenDataset.open(dir, new Configuration());
      Tokenizer tokenizer = tokenizerFor(ds);
      int[] tokens;
      try {
        tokens = StoredDocuments.tokens(ds, docId).orElseThrow(() -> new DytrainException("--doc " + docId
            + ": no such document in " + dir + " (ids are part index * 1000000000 + n; a part is a whole input file unless prep cut it)"));
      } catch (IOException e) {
        throw new DytrainException("dataset " + dir + ": cannot read: " + e.getMessage(), e);
      }
      System.out.println(tokenizer.decode(tokens));
    }

    /** The --tokenizer given, else the one the dataset carries (its tokenizer.json copy, or prep's spec). */
    private Tokenizer tokenizerFor(TokenDataset ds) {
      Manifest m = ds.manifest();
      String source;
      Tokenizer t;
      if (tokenizerSpec != null) {
        source = tokenizerSpec;
        t = Tokenizers.load(tokenizerSpec);
      } else {
        DatasetTokenizer recorded;
        try {
          recorded = DatasetTokenizer.of(ds);
        } catch (DytrainException e) {
          throw new DytrainException(e.getMessage() + "; pass --tokenizer", e);
        }
        source = recorded.json() == null ? recorded.spec() : "the tokenizer.json recorded with " + dir;
        t = recorded.tokenizer(source);
      }
      if (!t.definitionHash().equals(m.tokenizer().hash())) {
        throw new DytrainException(
            "tokenizer " + source + " is not the one dataset " + dir + " was made with (" + m.tokenizer().name()
                + ", sha256 " + m.tokenizer().hash().substring(0, 12) + "…); pass --tokenizer");
      }
      return t;
    }
  }
}
