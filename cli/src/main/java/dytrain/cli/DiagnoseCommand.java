package dytrain.cli;

import dytrain.config.DytrainException;
import dytrain.data.DatasetFileSystem;
import dytrain.data.TokenDataset;
import dytrain.diagnose.Diagnosis;
import dytrain.diagnose.LayerStatistics;
import dytrain.diagnose.ModelSnapshots;
import dytrain.diagnose.NormLayers;
import dytrain.diagnose.TokenSample;
import dytrain.io.AtomicWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "diagnose", description = {
    "What each norm layer of a model does to its inputs, as the DyT paper plots it: input against output (the S-curve),",
    "the std of each layer's input, its alpha and the share of inputs it squashes; over a run folder's checkpoints,",
    "alpha against 1/std (the paper's Figure 8). Writes SUMMARY.md and PNGs into --out."})
final class DiagnoseCommand implements Callable<Integer> {

  static final String S_CURVES = "s_curves.png";
  static final String ALPHA_VS_INVERSE_STD = "alpha_vs_inverse_std.png";
  static final String ALPHA_OVER_STEPS = "alpha_over_steps.png";

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "an export, a checkpoint, or a run folder (then every checkpoint is measured, for Figure 8)") Path model;
  @Option(names = "--data", required = true, paramLabel = "DATASET") String data;
  @Option(names = "--out", defaultValue = "diagnose", paramLabel = "DIR",
      description = "the folder to write, replaced whole; only a new or empty folder or an earlier diagnosis (default ${DEFAULT-VALUE})") Path out;
  @Option(names = "--layers", paramLabel = "LIST", description = "comma-separated norm layers: N.attention, N.mlp, final,"
      + " or a block number N for both of its norms (default: all)") String layers;
  @Option(names = "--tokens", defaultValue = "4096", description = "validation tokens to measure on (default ${DEFAULT-VALUE})") int tokens;
  @Option(names = "--split", defaultValue = "val", description = "dataset split (default ${DEFAULT-VALUE})") String split;
  @Option(names = "--compare", paramLabel = "DIR2",
      description = "a second model (export, checkpoint or run folder) measured on the same data, drawn beside the first") Path compare;

  @Override
  public Integer call() throws Exception {
    Flags.positive("--tokens", tokens);
    refuseToReplaceOtherThanADiagnosis();
    TokenDataset dataset = TokenDataset.open(data, new Configuration());
    List<String> flags = compare == null ? List.of("--model") : List.of("--model", "--compare");
    List<Path> folders = compare == null ? List.of(model) : List.of(model, compare);
    List<ModelSnapshots> snapshots = new ArrayList<>();
    for (int m = 0; m < folders.size(); m++) {
      try {
        snapshots.add(ModelSnapshots.of(folders.get(m)));
      } catch (DytrainException e) {
        throw new DytrainException(flags.get(m) + " " + e.getMessage(), e);
      }
    }
    List<String> chosen = chooseLayers(snapshots, flags);
    List<Diagnosis> models = new ArrayList<>();
    for (int m = 0; m < folders.size(); m++) {
      ModelSnapshots s = snapshots.get(m);
      TokenizerCheck.requireSame("diagnose", dataset, data, s.newest(), ": its norms' inputs there would mean little");
      System.out.printf("measuring %s (%s%s)...%n", folders.get(m), s.config().normType().key(),
          s.overTraining() ? ", every checkpoint" : "");
      models.add(s.diagnose(TokenSample.read(dataset, split, tokens, s.config()), chosen));
    }
    List<String> written = write(models);
    for (int m = 0; m < models.size(); m++) {
      print(m, models.get(m));
    }
    System.out.printf("wrote %s: %s, %s%n", out, DiagnoseMarkdown.FILE, String.join(", ", written));
    return 0;
  }

  /** The layers --layers names, in every model; by default every layer that all the models have. */
  private List<String> chooseLayers(List<ModelSnapshots> snapshots, List<String> flags) throws IOException {
    List<String> chosen = null;
    for (int m = 0; m < snapshots.size(); m++) {
      List<String> here;
      try {
        here = NormLayers.select(layers, snapshots.get(m).config());
      } catch (DytrainException e) {
        throw new DytrainException("--layers " + layers + ": " + e.getMessage()
            + (snapshots.size() > 1 ? " (the model of " + flags.get(m) + ")" : ""), e);
      }
      chosen = chosen == null ? here : chosen.stream().filter(here::contains).toList();
    }
    return chosen;
  }

  /** Writes the summary and plots under a temporary name and renames the folder into place: all or nothing. */
  private List<String> write(List<Diagnosis> models) throws IOException {
    // not from toUri(): that of an existing folder ends in '/', and the temporary sibling would land inside it
    var target = new org.apache.hadoop.fs.Path("file", null, out.toAbsolutePath().normalize().toString());
    FileSystem fs = DatasetFileSystem.of(target, new Configuration());
    List<String> pngs = new ArrayList<>(List.of(S_CURVES, ALPHA_VS_INVERSE_STD));
    if (models.stream().anyMatch(d -> d.snapshots().size() > 1)) {
      pngs.add(ALPHA_OVER_STEPS);
    }
    try {
      AtomicWrite.folder(fs, target, tmp -> {
        Path dir = Path.of(tmp.toUri());
        DiagnosePlots.sCurves(models, dir.resolve(S_CURVES));
        DiagnosePlots.alphaAgainstInverseStd(models, dir.resolve(ALPHA_VS_INVERSE_STD));
        if (pngs.contains(ALPHA_OVER_STEPS)) {
          DiagnosePlots.alphaOverSteps(models, dir.resolve(ALPHA_OVER_STEPS));
        }
        Files.writeString(dir.resolve(DiagnoseMarkdown.FILE), DiagnoseMarkdown.of(models, data, split, tokens, pngs));
      });
    } catch (IOException | RuntimeException e) {
      fs.delete(AtomicWrite.temporary(target), true); // no half-written folder left behind
      throw e;
    }
    return pngs;
  }

  /** A diagnosis replaces an earlier one or an empty folder: never a model, a run, a dataset or anyone's files. */
  private void refuseToReplaceOtherThanADiagnosis() throws IOException {
    if (!Files.exists(out)) {
      return;
    }
    if (!Files.isDirectory(out)) {
      throw new DytrainException("--out " + out + " is a file; diagnose writes a folder");
    }
    List<String> names;
    try (Stream<Path> entries = Files.list(out)) {
      names = entries.map(p -> p.getFileName().toString()).toList();
    }
    for (String name : names) {
      if (!name.equals(DiagnoseMarkdown.FILE) && !name.endsWith(".png") || !names.contains(DiagnoseMarkdown.FILE)) {
        throw new DytrainException("--out " + out + " holds " + name + ", and is not an earlier diagnosis; diagnose"
            + " replaces only an earlier diagnosis: give a new or empty folder");
      }
    }
  }

  private void print(int m, Diagnosis d) {
    System.out.printf("%s (%s): alpha against 1/std of each norm's input%n", DiagnosePlots.label(m, d), d.folder());
    System.out.printf("  %-12s %10s %10s %10s %9s%n", "layer", "input std", "1/std", "alpha", "squashed");
    for (LayerStatistics s : d.newest().layers()) {
      System.out.printf("  %-12s %10.4g %10.4g %10.4g %8.1f%%%n", s.layer(), s.inputStd(), s.inverseStd(), s.alpha(),
          100 * s.squashingFraction());
    }
  }
}
