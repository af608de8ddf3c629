package dytrain.cli;

import dytrain.data.DatasetFileSystem;
import dytrain.train.MetricsLog;
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
    addSeries(chart, "train", read(fs, new Path(dir, "metrics.csv"), 1), false);
    addSeries(chart, "validation", read(fs, new Path(dir, "eval.csv"), 1), true);
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

  /** (step, column) pairs of a CSV with a header line, skipping non-finite values. */
  private static List<double[]> read(FileSystem fs, Path csv, int column) throws IOException {
    List<double[]> out = new ArrayList<>();
    for (String row : MetricsLog.rows(fs, csv)) {
      String[] f = row.split(",");
      if (f.length > column) {
        double v = Double.parseDouble(f[column]);
        if (Double.isFinite(v)) {
          out.add(new double[] {Double.parseDouble(f[0]) + 1, v});
        }
      }
    }
    return out;
  }
}
