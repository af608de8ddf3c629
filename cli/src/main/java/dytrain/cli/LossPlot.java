package dytrain.cli;

import dytrain.data.DatasetFileSystem;
import dytrain.train.MetricsCsv;
import dytrain.train.MetricsLog;
import dytrain.train.StepMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** loss.png in a run folder: the train loss per step and the validation loss at each evaluation. */
final class LossPlot {
  private LossPlot() {}

  static Path write(String runDir, String title) throws IOException {
    Configuration conf = new Configuration();
    Path dir = new Path(runDir);
    FileSystem fs = DatasetFileSystem.of(dir, conf);
    XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step")
        .yAxisTitle("loss (nats/token)").build();
    List<double[]> train = new ArrayList<>();
    for (StepMetrics m : MetricsCsv.readSteps(fs, new Path(dir, MetricsLog.TRAIN_FILE))) {
      addFinite(train, m.step(), m.loss());
    }
    List<double[]> validation = new ArrayList<>();
    for (MetricsLog.Eval e : MetricsCsv.readEvals(fs, new Path(dir, MetricsLog.EVAL_FILE))) {
      addFinite(validation, e.step(), e.loss());
    }
    addSeries(chart, "train", train, false);
    addSeries(chart, "validation", validation, true);
    Path png = new Path(dir, "loss.png");
    try (OutputStream out = fs.create(png, true)) {
      out.write(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
    return png;
  }

  private static void addSeries(XYChart chart, String name, List<double[]> points, boolean markers) {
    if (points.isEmpty()) {
      return;
    }
    double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
  }

  /** A point at the step count after {@code step}; a non-finite loss (a skipped step) has none. */
  private static void addFinite(List<double[]> points, long step, double loss) {
    if (Double.isFinite(loss)) {
      points.add(new double[] {step + 1, loss});
    }
  }
}
