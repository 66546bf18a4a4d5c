package io.llumnix.simulator.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A line chart as inline SVG, for {@link HtmlReport}. Lines are thinned to at most about
 * {@link #MAX_POINTS} points and coordinates printed to a tenth of a pixel, so a chart stays a
 * few kilobytes per line however long the run was.
 *
 * @param logXWhenWide whether an x range spanning more than a factor {@value #LOG_SPAN} (of
 *     positive values) gets a log axis; latencies often do, and a linear axis would squash the
 *     body of the distribution against zero
 * @param yAtLeast the y axis runs from 0 to at least this, so flat or empty data still has a scale
 */
record SvgChart(String title, String xLabel, String yLabel, boolean logXWhenWide,
    double yAtLeast) {

  /** One line: points with ascending x, drawn in one colour and named in the legend. */
  record Line(String label, String colour, double width, double[] xs, double[] ys) {}

  static final int MAX_POINTS = 400;
  private static final double LOG_SPAN = 100;
  private static final int WIDTH = 760;
  private static final int LEFT = 64;
  private static final int PLOT_W = 500;
  private static final int TOP = 28;
  private static final int PLOT_H = 220;
  private static final int BOTTOM = 44;
  private static final int LEGEND_X = LEFT + PLOT_W + 20;
  private static final int LEGEND_ROW = 14;
  private static final MathContext FOUR_DIGITS = new MathContext(4);

  String render(List<Line> lines) {
    int height = Math.max(TOP + PLOT_H + BOTTOM, TOP + lines.size() * LEGEND_ROW + 8);
    StringBuilder svg = new StringBuilder(4096);
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH)
        .append(' ').append(height).append("\">\n");
    text(svg, LEFT, 18, "start", "title", title);
    List<Line> drawn = lines.stream().filter(l -> l.xs().length > 0).toList();
    if (drawn.isEmpty()) {
      frame(svg);
      text(svg, LEFT + PLOT_W / 2, TOP + PLOT_H / 2, "middle", "", "no data");
      return svg.append("</svg>\n").toString();
    }
    Axis x = xAxis(drawn);
    double maxY = yAtLeast;
    for (Line line : drawn) {
      for (double v : line.ys()) {
        maxY = Double.isFinite(v) ? Math.max(maxY, v) : maxY;
      }
    }
    Axis y = Axis.linear(0, maxY);
    for (double t : x.ticks()) {
      double px = LEFT + x.frac(t) * PLOT_W;
      svg.append("<line class=\"grid\" x1=\"").append(coord(px)).append("\" y1=\"").append(TOP)
          .append("\" x2=\"").append(coord(px)).append("\" y2=\"").append(TOP + PLOT_H)
          .append("\"/>\n");
      text(svg, px, TOP + PLOT_H + 14, "middle", "", num(t));
    }
    for (double t : y.ticks()) {
      double py = TOP + PLOT_H - y.frac(t) * PLOT_H;
      svg.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" y1=\"").append(coord(py))
          .append("\" x2=\"").append(LEFT + PLOT_W).append("\" y2=\"").append(coord(py))
          .append("\"/>\n");
      text(svg, LEFT - 6, py + 4, "end", "", num(t));
    }
    frame(svg);
    text(svg, LEFT + PLOT_W / 2, TOP + PLOT_H + 34, "middle", "",
        x.log() ? xLabel + " (log scale)" : xLabel);
    svg.append("<text transform=\"rotate(-90)\" x=\"").append(-(TOP + PLOT_H / 2))
        .append("\" y=\"16\" text-anchor=\"middle\">").append(escape(yLabel)).append("</text>\n");
    for (Line line : drawn) {
      polyline(svg, line, x, y);
    }
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      int ly = TOP + 4 + i * LEGEND_ROW;
      svg.append("<line x1=\"").append(LEGEND_X).append("\" y1=\"").append(ly)
          .append("\" x2=\"").append(LEGEND_X + 18).append("\" y2=\"").append(ly)
          .append("\" stroke=\"").append(line.colour()).append("\" stroke-width=\"2\"/>\n");
      String label = line.xs().length == 0 ? line.label() + " (no data)" : line.label();
      text(svg, LEGEND_X + 24, ly + 4, "start", "", label);
    }
    return svg.append("</svg>\n").toString();
  }

  private Axis xAxis(List<Line> lines) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double minPositive = Double.POSITIVE_INFINITY;
    for (Line line : lines) {
      for (double v : line.xs()) {
        if (Double.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
          minPositive = v > 0 ? Math.min(minPositive, v) : minPositive;
        }
      }
    }
    if (min > max) { // nothing finite: any scale will do
      return Axis.linear(0, 1);
    }
    boolean wide = minPositive < Double.POSITIVE_INFINITY && max / minPositive > LOG_SPAN;
    return logXWhenWide && wide ? Axis.log(minPositive, max) : Axis.linear(min, max);
  }

  private static void polyline(StringBuilder svg, Line line, Axis x, Axis y) {
    svg.append("<polyline fill=\"none\" stroke=\"").append(line.colour())
        .append("\" stroke-width=\"").append(num(line.width())).append("\" points=\"");
    int n = Math.min(line.xs().length, line.ys().length);
    int stride = Math.max(1, Math.ceilDiv(n, MAX_POINTS));
    // Every stride-th point, and the last one too: a CDF must reach 1, a series its end.
    IntStream picked = IntStream.concat(IntStream.iterate(0, i -> i < n, i -> i + stride),
        (n - 1) % stride == 0 ? IntStream.empty() : IntStream.of(n - 1));
    String last = "";
    boolean first = true;
    for (int i : picked.toArray()) {
      double vx = line.xs()[i];
      double vy = line.ys()[i];
      if (Double.isFinite(vx) && Double.isFinite(vy)) {
        String point = coord(LEFT + x.frac(vx) * PLOT_W) + ','
            + coord(TOP + PLOT_H - y.frac(vy) * PLOT_H);
        if (!point.equals(last)) { // flat stretches repeat pixels; drawing them again is waste
          svg.append(first ? "" : " ").append(point);
          first = false;
          last = point;
        }
      }
    }
    svg.append("\"/>\n");
  }

  private static void frame(StringBuilder svg) {
    svg.append("<rect class=\"frame\" x=\"").append(LEFT).append("\" y=\"").append(TOP)
        .append("\" width=\"").append(PLOT_W).append("\" height=\"").append(PLOT_H)
        .append("\"/>\n");
  }

  private static void text(StringBuilder svg, double x, double y, String anchor, String cls,
      String text) {
    svg.append("<text x=\"").append(coord(x)).append("\" y=\"").append(coord(y)).append('"');
    if (!anchor.equals("start")) {
      svg.append(" text-anchor=\"").append(anchor).append('"');
    }
    if (!cls.isEmpty()) {
      svg.append(" class=\"").append(cls).append('"');
    }
    svg.append('>').append(escape(text)).append("</text>\n");
  }

  /** A pixel coordinate to a tenth of a pixel: below 1000 that is at most 4 digits. */
  private static String coord(double v) {
    long tenths = Math.round(v * 10);
    String sign = tenths < 0 ? "-" : "";
    long abs = Math.abs(tenths);
    return abs % 10 == 0 ? sign + abs / 10 : sign + abs / 10 + "." + abs % 10;
  }

  /** A value to 4 significant digits, without float noise such as {@code 0.30000000000000004}. */
  static String num(double v) {
    if (!Double.isFinite(v)) {
      return "-";
    }
    return v == 0 ? "0" : new BigDecimal(v, FOUR_DIGITS).stripTrailingZeros().toPlainString();
  }

  /** Escapes text for HTML and SVG alike, in content and in quoted attributes. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** An axis from {@code lo} to {@code hi}, with the values to mark on it. */
  private record Axis(double lo, double hi, boolean log, List<Double> ticks) {

    /** From 0 (or below, for negative data) to a round number at or above {@code max}. */
    static Axis linear(double min, double max) {
      double lo = Math.min(0, min);
      double step = niceStep((max - lo) / 5);
      // The epsilon keeps 1.0 / 0.2 from rounding up to an extra, empty step.
      long first = (long) Math.ceil(lo / step - 1e-9);
      long last = Math.max(first + 1, (long) Math.ceil(max / step - 1e-9));
      List<Double> ticks = new ArrayList<>();
      for (long k = first; k <= last; k++) {
        ticks.add(k * step);
      }
      return new Axis(first * step, last * step, false, ticks);
    }

    /** From the power of ten at or below {@code minPositive} to the one at or above max. */
    static Axis log(double minPositive, double max) {
      int first = (int) Math.floor(Math.log10(minPositive));
      int last = Math.max(first + 1, (int) Math.ceil(Math.log10(max)));
      List<Double> ticks = new ArrayList<>();
      for (int k = first; k <= last; k++) {
        ticks.add(Math.pow(10, k));
      }
      return new Axis(Math.pow(10, first), Math.pow(10, last), true, ticks);
    }

    /** Where {@code v} falls, 0 at lo to 1 at hi; on a log axis, values at or below 0 sit at lo. */
    double frac(double v) {
      if (log) {
        return Math.log10(Math.max(v, lo) / lo) / Math.log10(hi / lo);
      }
      return (v - lo) / (hi - lo);
    }

    /** The 1, 2 or 5 times a power of ten at or above {@code raw}. */
    private static double niceStep(double raw) {
      if (!(raw > 0) || !Double.isFinite(raw)) {
        return 1;
      }
      double base = Math.pow(10, Math.floor(Math.log10(raw)));
      double f = raw / base;
      return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * base;
    }
  }
}
