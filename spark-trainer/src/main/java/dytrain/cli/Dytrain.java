package dytrain.cli;

import dytrain.config.DytrainException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point: {@code ./dytrain <subcommand>} locally and the {@code spark-submit --class}
 * on a cluster. Subcommands are thin; the work lives in core, data-prep and spark-trainer.
 */
@Command(
    name = "dytrain",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand too
    version = "dytrain 0.1.0",
    description = "Pretrain LLaMA-style models with Dynamic Tanh norms, data-parallel on Spark.",
    subcommands = {
      QuickstartCommand.class,
      Alpha0Command.class,
      InfoCommand.class,
      InitCommand.class,
      ScoreCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      GenerateCommand.class,
      ExportCommand.class,
      BenchCommand.class,
      PrepCommand.class,
      TokenizerCommand.class,
      ShardsCommand.class,
    })
public final class Dytrain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  private static String describe(java.io.IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) return "no such file or folder: " + e.getMessage();
    if (e instanceof java.nio.file.FileAlreadyExistsException) return "already exists (as a file?): " + e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) return "permission denied: " + e.getMessage();
    if (e instanceof java.nio.file.NotDirectoryException) return "not a folder: " + e.getMessage();
    return "I/O error: " + e.getMessage() + " (" + e.getClass().getSimpleName() + ")";
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code; user errors print one message, not a trace. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Dytrain());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof DytrainException) {
            commandLine.getErr().println("dytrain: " + ex.getMessage());
            return 2;
          }
          java.io.IOException io = ex instanceof java.io.UncheckedIOException u ? u.getCause()
              : ex instanceof java.io.IOException e ? e : null;
          if (io != null) { // a path that cannot be read or written: the file system's word for it, no trace
            commandLine.getErr().println("dytrain: " + describe(io));
            return 1;
          }
          throw ex;
        });
    return cli.execute(args);
  }
}
