package dytrain.cli;

import dytrain.sweep.IsoFlopFit;
import dytrain.sweep.ResultRow;
import dytrain.sweep.SweepReport;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG plots of a sweep report: what {@link SweepReport} computed, drawn; one colour per norm type. */
final class SweepPlots {
  static final int WIDTH = 900;
  static final int HEIGHT = 560;

  private SweepPlots() {}

  /** Loss against training compute, every run a dot, each norm's compute frontier a line. */
  static Path lossVersusCompute(SweepReport.Result r, Path dir) throws IOException {
    XYChart chart = xy("loss against training compute (frontier: lowest loss at each compute)", "C (training FLOPs)",
        "final validation loss");
    chart.getStyler().setXAxisLogarithmic(true);
    for (int k = 0; k < r.norms().size(); k++) {
      SweepReport.NormResult n = r.norms().get(k);
      XYSeries s = scatter(chart, n.norm(), n.rows().stream().mapToDouble(ResultRow::flops).toArray(),
          n.rows().stream().mapToDouble(ResultRow::loss).toArray());
      XYSeries f = chart.addSeries(n.norm() + " frontier", n.frontier().stream().mapToDouble(ResultRow::flops).toArray(),
          n.frontier().stream().mapToDouble(ResultRow::loss).toArray());
      f.setMarker(SeriesMarkers.NONE);
      s.setMarkerColor(colour(k));
      f.setLineColor(colour(k));
    }
    return save(chart, dir.resolve("loss_vs_compute.png"));
  }

  /** Each IsoFLOP profile's runs against N, with its parabola in log N; one chart for every norm. */
  static Path isoFlopProfiles(SweepReport.Result r, Path dir) throws IOException {
    XYChart chart = xy("IsoFLOP profiles: loss against model size at fixed compute", "N (parameters)", "validation loss");
    chart.getStyler().setXAxisLogarithmic(true);
    for (SweepReport.NormResult n : r.norms()) {
      Map<Double, List<IsoFlopFit.Run>> byBudget = new TreeMap<>();
      n.profiles().forEach(p -> byBudget.computeIfAbsent(p.budget(), k -> new ArrayList<>()).add(p));
      byBudget.forEach((c, runs) -> {
        String name = String.format("%s C=%.3g", n.norm(), c);
        scatter(chart, name, runs.stream().mapToDouble(IsoFlopFit.Run::params).toArray(),
            runs.stream().mapToDouble(IsoFlopFit.Run::loss).toArray());
      });
    }
    return save(chart, dir.resolve("isoflop_profiles.png"));
  }

  /** N*(C) and D*(C) of each norm's IsoFLOP fit: its optima and the power laws through them. */
  static Path isoFlopOptima(SweepReport.Result r, Path dir) throws IOException {
    XYChart chart = xy("compute-optimal N*(C) and D*(C)", "C (training FLOPs)", "N* (parameters), D* (tokens)");
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    boolean any = false;
    for (SweepReport.NormResult n : r.norms()) {
      if (n.isoFlop() == null) continue;
      any = true;
      var optima = n.isoFlop().optima();
      double[] c = optima.stream().mapToDouble(IsoFlopFit.Optimum::budget).toArray();
      scatter(chart, n.norm() + " N*", c, optima.stream().mapToDouble(IsoFlopFit.Optimum::params).toArray());
      scatter(chart, n.norm() + " D*", c, optima.stream().mapToDouble(IsoFlopFit.Optimum::tokens).toArray());
      line(chart, n.norm() + " N*(C)", c, n.isoFlop().params()::at);
      line(chart, n.norm() + " D*(C)", c, n.isoFlop().tokens()::at);
    }
    if (!any) chart.addSeries("no IsoFLOP fit (see REPORT.md)", new double[] {1, 10}, new double[] {1, 1});
    return save(chart, dir.resolve("isoflop_optima.png"));
  }

  /** Observed loss against the parametric law's prediction, per norm: points on the diagonal fit well. */
  static Path parametricFit(SweepReport.Result r, Path dir) throws IOException {
    XYChart chart = xy("parametric fit L(N, D) = E + A/N^alpha + B/D^beta", "predicted loss", "observed loss");
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < r.norms().size(); k++) {
      SweepReport.NormResult n = r.norms().get(k);
      if (n.parametric() == null) continue;
      double[] predicted = n.rows().stream().mapToDouble(x -> n.parametric().law().loss(x.params(), x.tokens())).toArray();
      double[] observed = n.rows().stream().mapToDouble(ResultRow::loss).toArray();
      scatter(chart, n.norm(), predicted, observed).setMarkerColor(colour(k));
      for (double v : observed) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo < hi) chart.addSeries("y = x", new double[] {lo, hi}, new double[] {lo, hi}).setMarker(SeriesMarkers.NONE);
    else chart.addSeries("no parametric fit (see REPORT.md)", new double[] {0, 1}, new double[] {0, 1});
    return save(chart, dir.resolve("parametric_fit.png"));
  }

  /** Loss over alpha0_attention x alpha0_other at one width. */
  static Path alpha0Heatmap(SweepReport.Alpha0Grid g, Path dir) throws IOException {
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
        .title("validation loss at width " + g.width() + " (best: attention " + g.best().attention() + ", other "
            + g.best().other() + ")").xAxisTitle("alpha0_attention").yAxisTitle("alpha0_other").build();
    List<Number[]> cells = new ArrayList<>();
    for (int i = 0; i < g.attention().size(); i++) {
      for (int j = 0; j < g.other().size(); j++) {
        if (g.loss()[i][j] != null) cells.add(new Number[] {i, j, g.loss()[i][j]});
      }
    }
    chart.getStyler().setShowValue(true);
    chart.addSeries("loss", g.attention(), g.other(), cells);
    return save(chart, dir.resolve("alpha0_width_" + g.width() + ".png"));
  }

  private static XYChart xy(String title, String x, String y) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return chart;
  }

  private static XYSeries scatter(XYChart chart, String name, double[] x, double[] y) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    s.setMarker(SeriesMarkers.CIRCLE);
    return s;
  }

  /** The k-th norm type's colour, the same in every plot. */
  private static Color colour(int k) {
    Color[] palette = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e)};
    return palette[k % palette.length];
  }

  private static void line(XYChart chart, String name, double[] c, DoubleUnaryOperator f) {
    double lo = Arrays.stream(c).min().orElse(1);
    double hi = Arrays.stream(c).max().orElse(1);
    double[] x = new double[20];
    double[] y = new double[20];
    for (int i = 0; i < 20; i++) {
      x[i] = Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * i / 19);
      y[i] = f.applyAsDouble(x[i]);
    }
    chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
  }

  private static Path save(Chart<?, ?> chart, Path png) throws IOException {
    Files.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    return png;
  }
}
