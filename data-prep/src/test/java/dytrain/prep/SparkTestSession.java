package dytrain.prep;

import org.apache.spark.sql.SparkSession;

/** A real local Spark for tests: two cores, no UI, loopback only. */
final class SparkTestSession {
  private SparkTestSession() {}

  static SparkSession start() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("dytrain-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }
}
