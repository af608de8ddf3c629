package dytrain.cli;

import dytrain.spark.TrainingSession;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a data command. Under spark-submit the master comes from spark-submit and
 * {@code --master} is ignored; locally it defaults to all cores. Spark's console progress bar shows task
 * progress on a terminal (in a log its carriage-return redraws would make one endless line); its INFO
 * chatter is turned down so the progress and our status lines stay readable.
 */
final class DriverSession {
  private DriverSession() {}

  static SparkSession start(String master, String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config("spark.ui.showConsoleProgress", String.valueOf(ConsoleProgress.onTerminal()))
            .config("spark.ui.enabled", "false");
    if (System.getProperty("spark.master") == null) {
      builder.master(master);
    }
    SparkSession spark = TrainingSession.getOrCreate(builder, master);
    spark.sparkContext().setLogLevel("WARN");
    // A bad input fails its task; the job's error reaches the user once, from the driver, naming the
    // file and line. Spark's own per-task traces of the same failure would bury that message.
    Configurator.setLevel("org.apache.spark.executor.Executor", Level.OFF);
    Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.OFF);
    return spark;
  }
}
