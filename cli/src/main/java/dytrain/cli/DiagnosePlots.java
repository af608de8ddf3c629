package dytrain.cli;

import dytrain.config.NormType;
import dytrain.diagnose.Diagnosis;
import dytrain.diagnose.LayerStatistics;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNGs of a diagnosis: what {@link dytrain.diagnose} measured, drawn. Models are labelled A (--model) and B
 * (--compare), never by path or step, so a checkpoint and its export draw the same pictures.
 */
final class DiagnosePlots {
  static final int PANEL_WIDTH = 400;
  static final int PANEL_HEIGHT = 320;
  static final int FIGURE8_WIDTH = 700;
  static final int FIGURE8_HEIGHT = 500;
  /** S-curve panels per row for one model; two models are drawn side by side, one row per layer. */
  static final int COLUMNS = 3;
  private static final Color POINTS = new Color(0x1f77b4);
  private static final Color CURVE = new Color(0xd62728);

  private DiagnosePlots() {}

  /**
   * Input against output of each layer (DyT paper, Figures 2 and 4): a grid for one model, or one row per
   * layer with the models side by side.
   */
  static void sCurves(List<Diagnosis> models, Path png) throws IOException {
    List<XYChart> panels = new ArrayList<>();
    int layers = models.get(0).newest().layers().size();
    for (int layer = 0; layer < layers; layer++) {
      for (int m = 0; m < models.size(); m++) {
        panels.add(sCurve(label(m, models.get(m)), models.get(m).newest().layers().get(layer)));
      }
    }
    int columns = models.size() > 1 ? models.size() : Math.min(COLUMNS, layers);
    writeGrid(panels, columns, PANEL_WIDTH, PANEL_HEIGHT, png);
  }

  private static XYChart sCurve(String model, LayerStatistics s) {
    XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
        .title(model + " " + s.layer() + ": alpha " + format(s.alpha()))
        .xAxisTitle("input x").yAxisTitle("output before the affine").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setMarkerSize(3);
    double[] x = toDoubles(s.pointInputs());
    XYSeries points = chart.addSeries("sampled elements", x, toDoubles(s.pointOutputs()));
    points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    points.setMarker(SeriesMarkers.CIRCLE);
    points.setMarkerColor(POINTS);
    s.learnedCurve().ifPresent(curve -> {
      String name = s.norm() == NormType.DYT ? "tanh(alpha x)" : "erf(alpha x + shift)";
      XYSeries line = chart.addSeries(name, grid(x), apply(curve, grid(x)));
      line.setMarker(SeriesMarkers.NONE);
      line.setLineColor(CURVE);
      line.setLineWidth(1); // thin, so the points it runs through stay visible
    });
    return chart;
  }

  /**
   * The DyT paper's Figure 8 for each model: a layer's alpha against 1/std of its input, one point per
   * checkpoint joined in step order (a single point for an export), with the line alpha = 1/std.
   */
  static void alphaAgainstInverseStd(List<Diagnosis> models, Path png) throws IOException {
    List<XYChart> panels = new ArrayList<>();
    for (int m = 0; m < models.size(); m++) {
      Diagnosis d = models.get(m);
      XYChart chart = figure8(label(m, d) + ": alpha against 1/std of the input", "1/std of the input", alphaName(d));
      double lo = Double.POSITIVE_INFINITY;
      double hi = 0;
      List<String> layers = d.newest().layers().stream().map(LayerStatistics::layer).toList();
      for (int layer = 0; layer < layers.size(); layer++) {
        double[] inverseStd = new double[d.snapshots().size()];
        double[] alpha = new double[inverseStd.length];
        for (int k = 0; k < inverseStd.length; k++) {
          LayerStatistics s = d.snapshots().get(k).layers().get(layer);
          inverseStd[k] = s.inverseStd();
          alpha[k] = s.alpha();
          lo = Math.min(lo, Math.min(inverseStd[k], alpha[k]));
          hi = Math.max(hi, Math.max(inverseStd[k], alpha[k]));
        }
        XYSeries series = chart.addSeries(layers.get(layer), inverseStd, alpha);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineColor(colour(layer));
        series.setMarkerColor(colour(layer));
      }
      // alpha and 1/std may span decades across layers (an early layer's input is far smaller): then log axes
      boolean decades = lo > 0 && hi / lo > 10;
      chart.getStyler().setXAxisLogarithmic(decades);
      chart.getStyler().setYAxisLogarithmic(decades);
      XYSeries diagonal = chart.addSeries("alpha = 1/std", new double[] {lo, hi}, new double[] {lo, hi});
      diagonal.setMarker(SeriesMarkers.NONE);
      diagonal.setLineColor(Color.GRAY);
      diagonal.setLineStyle(SeriesLines.DASH_DASH);
      panels.add(chart);
    }
    writeGrid(panels, panels.size(), FIGURE8_WIDTH, FIGURE8_HEIGHT, png);
  }

  /**
   * Each layer's alpha (solid) and 1/std of its input (dashed, same colour) against the training step, for
   * the models given as run folders (DyT paper, Figure 8, left).
   */
  static void alphaOverSteps(List<Diagnosis> models, Path png) throws IOException {
    List<XYChart> panels = new ArrayList<>();
    for (int m = 0; m < models.size(); m++) {
      Diagnosis d = models.get(m);
      if (d.snapshots().size() < 2) {
        continue;
      }
      XYChart chart = figure8(label(m, d) + ": alpha (solid) and 1/std (dashed) over training", "step", alphaName(d));
      double[] steps = d.snapshots().stream().mapToDouble(s -> s.step().orElseThrow()).toArray();
      List<String> layers = d.newest().layers().stream().map(LayerStatistics::layer).toList();
      for (int layer = 0; layer < layers.size(); layer++) {
        int l = layer;
        double[] alpha = d.snapshots().stream().mapToDouble(s -> s.layers().get(l).alpha()).toArray();
        double[] inverseStd = d.snapshots().stream().mapToDouble(s -> s.layers().get(l).inverseStd()).toArray();
        XYSeries a = chart.addSeries(layers.get(layer), steps, alpha);
        a.setMarker(SeriesMarkers.NONE);
        a.setLineColor(colour(layer));
        XYSeries s = chart.addSeries(layers.get(layer) + " 1/std", steps, inverseStd);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour(layer));
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setShowInLegend(false);
      }
      panels.add(chart);
    }
    writeGrid(panels, panels.size(), FIGURE8_WIDTH, FIGURE8_HEIGHT, png);
  }

  /** "A dyt": which model (A is --model, B is --compare) and its norm. */
  static String label(int model, Diagnosis d) {
    return (char) ('A' + model) + " " + d.config().normType().key();
  }

  /** What the y axis of Figure 8 holds: a learned alpha, or the per-token scale rmsnorm and layernorm apply. */
  private static String alphaName(Diagnosis d) {
    return switch (d.config().normType()) {
      case DYT, DERF -> "alpha";
      case RMSNORM -> "alpha: mean per-token 1/rms";
      case LAYERNORM -> "alpha: mean per-token 1/std";
    };
  }

  private static XYChart figure8(String title, String x, String y) {
    XYChart chart = new XYChartBuilder().width(FIGURE8_WIDTH).height(FIGURE8_HEIGHT).title(title).xAxisTitle(x)
        .yAxisTitle(y).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return chart;
  }

  /** Panels in rows of {@code columns}, each {@code width} x {@code height}; an empty cell stays white. */
  private static void writeGrid(List<XYChart> panels, int columns, int width, int height, Path png) throws IOException {
    int rows = (panels.size() + columns - 1) / columns;
    BufferedImage image = new BufferedImage(columns * width, rows * height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    for (int i = 0; i < panels.size(); i++) {
      Graphics2D cell = (Graphics2D) g.create((i % columns) * width, (i / columns) * height, width, height);
      panels.get(i).paint(cell, width, height);
      cell.dispose();
    }
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  /** 200 evenly spaced points over the range of {@code x}, to draw a curve through. */
  private static double[] grid(double[] x) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    double[] out = new double[200];
    for (int i = 0; i < out.length; i++) {
      out[i] = lo + (hi - lo) * i / (out.length - 1);
    }
    return out;
  }

  private static double[] apply(DoubleUnaryOperator f, double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = f.applyAsDouble(x[i]);
    }
    return y;
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  static String format(double v) {
    return String.format("%.3g", v);
  }

  /** The k-th layer's colour, the same in both Figure 8 plots. */
  private static Color colour(int k) {
    Color[] palette = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
        new Color(0x17becf)};
    return palette[k % palette.length];
  }
}
