package dytrain.cli;

import dytrain.prep.TokenizeBench;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tokenize", description = {
    "Prep pipeline (read, tokenize, write Parquet on Spark) vs jtokkit's raw encodeOrdinary, and vs dytrain's",
    "own tokenizer in memory, on the same text,",
    "with 1 and 2 cores, in one run. Goal: at most 20% overhead per core, at least 1.8x on 2 cores."})
final class TokenizeBenchCommand implements Runnable {
  @Option(names = "--input", defaultValue = "data-prep/corpus/kjv.txt.gz", description = "Corpus, blank-line separated documents (default ${DEFAULT-VALUE}).")
  String input;

  @Option(names = "--tokenizer", defaultValue = "gpt2", description = "gpt2, cl100k_base or o200k_base (default ${DEFAULT-VALUE}).")
  String tokenizer;

  @Option(names = "--copies", defaultValue = "16", description = "Times the corpus is repeated (default ${DEFAULT-VALUE}).")
  int copies;

  @Option(names = "--files", defaultValue = "8", description = "Input files the text is split into (default ${DEFAULT-VALUE}).")
  int files;

  @Option(names = "--cores", defaultValue = "1,2", split = ",", description = "Core counts to measure (default ${DEFAULT-VALUE}).")
  List<Integer> cores;

  @Option(names = "--rounds", defaultValue = "5", description = "Timed runs per side and core count; the best counts (default ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public void run() {
    TokenizeBench.Result r;
    try {
      r = TokenizeBench.run(new TokenizeBench.Settings(input, tokenizer, copies, files, cores, rounds), System.err::println);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    long tokens = r.tokens();
    System.out.printf("%,d documents, %.1f MB, %,d tokens (%s)%n", r.documents(), r.bytes() / 1e6, tokens, tokenizer);
    System.out.printf("%-6s %16s %16s %16s %10s %12s %12s%n",
        "cores", "jtokkit tok/s", "tokenizer tok/s", "prep tok/s", "prep MB/s", "vs jtokkit", "vs tokenizer");
    for (TokenizeBench.Row row : r.rows()) {
      System.out.printf("%-6d %,16.0f %,16.0f %,16.0f %10.2f %11.1f%% %11.1f%%%n",
          row.cores(), tokens / row.rawSeconds(), tokens / row.encoderSeconds(), tokens / row.pipelineSeconds(),
          r.bytes() / 1e6 / row.pipelineSeconds(), 100 * row.overhead(), 100 * row.overheadOverEncoder());
    }
    System.out.println("jtokkit: raw encodeOrdinary in memory (the issue's baseline); tokenizer: dytrain's in memory (jtokkit");
    System.out.println("plus its own splitters and a cache of pieces' ids); vs = how much more time per token prep takes");
    System.out.println("(negative: prep is faster)");
    System.out.println("without the per-job cost (a prep of as many one-line files), the limit a larger corpus approaches:");
    for (TokenizeBench.Row row : r.rows()) {
      System.out.printf("%-6d per job %6.0f ms  prep %,16.0f tok/s  vs jtokkit %+6.1f%%  vs tokenizer %+6.1f%%%n",
          row.cores(), 1e3 * row.perJobSeconds(), tokens / row.perTokenSeconds(),
          100 * (row.perTokenSeconds() / row.rawSeconds() - 1), 100 * (row.perTokenSeconds() / row.encoderSeconds() - 1));
    }
    List<TokenizeBench.Row> rows = r.rows();
    if (rows.size() >= 2) {
      TokenizeBench.Row first = rows.get(0);
      TokenizeBench.Row last = rows.get(rows.size() - 1);
      System.out.printf("scaling %d -> %d cores: prep %.2fx (without the per-job cost %.2fx), raw jtokkit %.2fx, tokenizer %.2fx%n",
          first.cores(), last.cores(), first.pipelineSeconds() / last.pipelineSeconds(),
          first.perTokenSeconds() / last.perTokenSeconds(), first.rawSeconds() / last.rawSeconds(),
          first.encoderSeconds() / last.encoderSeconds());
    }
  }
}
