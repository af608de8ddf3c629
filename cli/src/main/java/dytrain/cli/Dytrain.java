package dytrain.cli;

import dytrain.config.DytrainException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

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
      DiagnoseCommand.class,
      GenerateCommand.class,
      ExportCommand.class,
      BenchCommand.class,
      PrepCommand.class,
      TokenizerCommand.class,
      ShardsCommand.class,
      SweepCommand.class,
    })
public final class Dytrain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file or folder: " + e.getMessage();
    if (e instanceof FileAlreadyExistsException) return "already exists: " + e.getMessage();
    if (e instanceof AccessDeniedException) return "permission denied: " + e.getMessage();
    if (e instanceof NotDirectoryException) return "not a folder: " + e.getMessage();
    return e.getMessage() + " (" + e.getClass().getSimpleName() + ")";
  }

  public static void main(String[] args) {
    int code = execute(args);
    if (inYarnApplicationMaster()) {
      // YARN's ApplicationMaster reports an application whose main called System.exit as failed, whatever
      // the code ("Shutdown hook called before final status was reported"): return, or throw for a failure
      if (code != 0) {
        throw new IllegalStateException("dytrain " + String.join(" ", args) + " failed (exit code " + code
            + "); its message is in the driver's log above");
      }
      return;
    }
    System.exit(code);
  }

  /** True when this is the driver of a YARN cluster-mode application, running inside its ApplicationMaster. */
  static boolean inYarnApplicationMaster() {
    return "yarn".equals(System.getProperty("spark.master"))
        && "cluster".equals(System.getProperty("spark.submit.deployMode"));
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
          Throwable io = ex instanceof UncheckedIOException u ? u.getCause() : ex;
          if (io instanceof FileSystemException || io instanceof FileNotFoundException) {
            // a path that cannot be read or written: the file system's word for it, no trace
            commandLine.getErr().println("dytrain: " + describe((IOException) io));
            return 1;
          }
          throw ex;
        });
    return cli.execute(args);
  }
}
