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
          throw ex;
        });
    return cli.execute(args);
  }
}
