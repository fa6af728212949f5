package org.keydir.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Inline SVG charts for the report: bars for throughput, percentile curves for latency. No scripts.
 */
final class SvgCharts {
  static final String[] COLOURS = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
  };
  private static final int W = 460;
  private static final int H = 260;
  private static final int LEFT = 76;
  private static final int RIGHT = 16;
  private static final int TOP = 28;
  private static final int BOTTOM = 40;

  /**
   * Percentiles 0 … 99.99 on a log scale of 1/(1-p); the maximum is drawn one step further right.
   */
  private static final double MAX_X = 4.6;

  private SvgCharts() {}

  /** Vertical bars, one per label, each with its value written above it. */
  static String bars(String title, List<String> labels, List<Double> values, String colour) {
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    double top = niceCeiling(max);
    StringBuilder sb = open(title);
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    for (int i = 0; i <= 4; i++) {
      double v = top * i / 4;
      double y = TOP + plotH - plotH * i / 4.0;
      sb.append(line(LEFT, y, W - RIGHT, y, "#ddd"))
          .append(text(LEFT - 6, y + 4, fmt(v), "end", 11));
    }
    double slot = plotW / (double) Math.max(1, labels.size());
    for (int i = 0; i < labels.size(); i++) {
      double h = top > 0 ? plotH * values.get(i) / top : 0;
      double x = LEFT + slot * i + slot * 0.2;
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'/>",
              x,
              TOP + plotH - h,
              slot * 0.6,
              h,
              colour));
      sb.append(text(x + slot * 0.3, TOP + plotH - h - 4, fmt(values.get(i)), "middle", 11));
      sb.append(text(x + slot * 0.3, H - BOTTOM + 16, labels.get(i), "middle", 12));
    }
    sb.append(text(LEFT + plotW / 2.0, H - 6, "concurrent requests", "middle", 11));
    return sb.append("</svg>").toString();
  }

  /** Latency (ms, log scale) against percentile (log scale of 1/(1-p)), one curve per series. */
  static String percentiles(String title, Map<String, List<double[]>> series) {
    double maxMs =
        series.values().stream().flatMap(List::stream).mapToDouble(p -> p[1]).max().orElse(1);
    double minMs =
        series.values().stream()
            .flatMap(List::stream)
            .mapToDouble(p -> p[1])
            .filter(v -> v > 0)
            .min()
            .orElse(0.1);
    double lo = Math.floor(Math.log10(Math.max(minMs, 0.01)));
    double hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(maxMs, 0.01))));
    StringBuilder sb = open(title);
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    for (double d = lo; d <= hi; d++) {
      double y = TOP + plotH - plotH * (d - lo) / (hi - lo);
      sb.append(line(LEFT, y, W - RIGHT, y, "#ddd"))
          .append(text(LEFT - 6, y + 4, fmt(Math.pow(10, d)) + " ms", "end", 11));
    }
    String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%"};
    for (int i = 0; i < xLabels.length; i++) {
      double x = LEFT + plotW * i / MAX_X;
      sb.append(line(x, TOP, x, TOP + plotH, "#eee"))
          .append(text(x, H - BOTTOM + 16, xLabels[i], "middle", 11));
    }
    sb.append(text(LEFT + plotW, H - BOTTOM + 16, "max", "end", 11));
    int s = 0;
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      String colour = COLOURS[s % COLOURS.length];
      StringBuilder pts = new StringBuilder();
      for (double[] p : e.getValue()) {
        double xv = p[0] >= 100 ? MAX_X : Math.min(MAX_X - 0.3, Math.log10(1 / (1 - p[0] / 100)));
        double yv = Math.log10(Math.max(p[1], Math.pow(10, lo)));
        pts.append(
            String.format(
                Locale.ROOT,
                "%.1f,%.1f ",
                LEFT + plotW * xv / MAX_X,
                TOP + plotH - plotH * (yv - lo) / (hi - lo)));
      }
      sb.append("<polyline fill='none' stroke-width='2' stroke='")
          .append(colour)
          .append("' points='")
          .append(pts)
          .append("'/>");
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x='%d' y='%d' width='10' height='10' fill='%s'/>",
              LEFT + 8,
              TOP + 6 + 14 * s,
              colour));
      sb.append(text(LEFT + 22, TOP + 15 + 14 * s, e.getKey(), "start", 11));
      s++;
    }
    sb.append(text(LEFT + plotW / 2.0, H - 6, "percentile", "middle", 11));
    return sb.append("</svg>").toString();
  }

  private static StringBuilder open(String title) {
    return new StringBuilder(
            String.format(
                Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' font-family='sans-serif'>",
                W,
                H,
                W,
                H))
        .append(text(W / 2.0, 16, title, "middle", 13));
  }

  private static String line(double x1, double y1, double x2, double y2, String colour) {
    return String.format(
        Locale.ROOT,
        "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s'/>",
        x1,
        y1,
        x2,
        y2,
        colour);
  }

  private static String text(double x, double y, String s, String anchor, int size) {
    return String.format(
        Locale.ROOT,
        "<text x='%.1f' y='%.1f' text-anchor='%s' font-size='%d'>%s</text>",
        x,
        y,
        anchor,
        size,
        ReportHtml.escape(s));
  }

  private static double niceCeiling(double v) {
    if (v <= 0) return 1;
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * mag >= v) return m * mag;
    return 10 * mag;
  }

  static String fmt(double v) {
    if (v >= 100) return String.format(Locale.ROOT, "%,.0f", v);
    if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
    if (v == 0) return "0";
    if (v >= 0.1) return String.format(Locale.ROOT, "%.2f", v);
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
