package io.llumnix.simulator.report;

import static io.llumnix.simulator.report.SvgChart.escape;

import io.llumnix.simulator.report.SvgChart.Line;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SimulationReport} as one self-contained HTML page: inline CSS and SVG, no scripts and
 * nothing fetched, so it opens offline and can be attached to a ticket as is. The same report
 * always renders to the same string, so pages can be diffed.
 */
public final class HtmlReport {

  // Beyond this many instances one line each is a tangle; min, mean and max still read.
  private static final int MAX_INSTANCE_LINES = 16;
  private static final List<String> PALETTE = List.of("#1f77b4", "#ff7f0e", "#2ca02c",
      "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8",
      "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94");
  private static final List<String> HEADERS = List.of("Policy", "Completed", "Rejected",
      "TTFT p50<br>ms", "TTFT p90<br>ms", "TTFT p99<br>ms", "TPOT p50<br>ms", "TPOT p99<br>ms",
      "ITL p99<br>ms", "E2E p50<br>ms", "E2E p99<br>ms", "Throughput<br>tok/s",
      "Goodput<br>req/s", "Goodput<br>share", "Preemptions", "Prefix-cache<br>hits",
      "Wall<br>s", "TTFT p99<br>vs first", "TPOT p99<br>vs first");
  private static final String STYLE = """
      body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
      table{border-collapse:collapse;margin-bottom:1.5em}
      th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}
      td{text-align:right;font-variant-numeric:tabular-nums}
      .settings td{text-align:left}
      .policies tr:first-child th{text-align:right;vertical-align:bottom}
      .wide{overflow-x:auto}
      .charts{display:flex;flex-wrap:wrap;gap:1em}
      svg text{font:11px system-ui,sans-serif;fill:#333}
      svg .title{font-size:13px;font-weight:600}
      .grid{stroke:#e8e8e8}
      .frame{fill:none;stroke:#888}
      """;

  private HtmlReport() {}

  public static String render(SimulationReport report) {
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Llumnix simulation</title>\n<style>\n").append(STYLE)
        .append("</style>\n</head>\n<body>\n<h1>Llumnix simulation</h1>\n");
    settings(html, report.settings());
    policies(html, report.policies());
    cdfs(html, report.policies());
    loads(html, report.policies());
    return html.append("</body>\n</html>\n").toString();
  }

  private static void settings(StringBuilder html, Map<String, String> settings) {
    html.append("<h2>Settings</h2>\n<table class=\"settings\">\n");
    settings.forEach((key, value) -> html.append("<tr><th>").append(escape(key))
        .append("</th><td>").append(escape(value)).append("</td></tr>\n"));
    html.append("</table>\n");
  }

  private static void policies(StringBuilder html, List<PolicyResult> policies) {
    html.append("<h2>Policies</h2>\n<div class=\"wide\"><table class=\"policies\">\n<tr>");
    HEADERS.forEach(h -> html.append("<th>").append(h).append("</th>"));
    html.append("</tr>\n");
    for (int i = 0; i < policies.size(); i++) {
      PolicyResult p = policies.get(i);
      PolicyResult first = policies.get(0);
      List<String> cells = List.of(Long.toString(p.completed()), Long.toString(p.rejected()),
          fixed(p.ttftMs().p50()), fixed(p.ttftMs().p90()), fixed(p.ttftMs().p99()),
          fixed(p.tpotMs().p50()), fixed(p.tpotMs().p99()), fixed(p.itlMs().p99()),
          fixed(p.e2eMs().p50()), fixed(p.e2eMs().p99()), fixed(p.throughputTokS()),
          fixed(p.goodputReqS()), percent(p.goodputFraction()), Long.toString(p.preemptions()),
          percent(p.prefixCacheHitRatio()), fixed(p.wallSeconds()),
          i == 0 ? "baseline" : ratio(p.ttftMs().p99(), first.ttftMs().p99()),
          i == 0 ? "baseline" : ratio(p.tpotMs().p99(), first.tpotMs().p99()));
      html.append("<tr><th>").append(escape(p.name())).append("</th>");
      cells.forEach(c -> html.append("<td>").append(c).append("</td>"));
      html.append("</tr>\n");
    }
    html.append("</table></div>\n");
  }

  private static void cdfs(StringBuilder html, List<PolicyResult> policies) {
    html.append("<h2>Latency distributions</h2>\n<div class=\"charts\">\n");
    cdf(html, "TTFT", "time to first token", policies, PolicyResult::ttftCdf);
    cdf(html, "TPOT", "time per output token", policies, PolicyResult::tpotCdf);
    cdf(html, "E2E", "end to end", policies, PolicyResult::e2eCdf);
    html.append("</div>\n");
  }

  private static void cdf(StringBuilder html, String metric, String meaning,
      List<PolicyResult> policies, Function<PolicyResult, Cdf> cdfOf) {
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < policies.size(); i++) {
      Cdf cdf = cdfOf.apply(policies.get(i));
      lines.add(new Line(policies.get(i).name(), colour(i), 1.5, cdf.values(), cdf.fractions()));
    }
    SvgChart chart = new SvgChart(metric + " CDF (" + meaning + ")", metric + " (ms)",
        "fraction of requests", true, 1);
    html.append(chart.render(lines));
  }

  private static void loads(StringBuilder html, List<PolicyResult> policies) {
    html.append("<h2>Load per instance</h2>\n");
    for (PolicyResult p : policies) {
      LoadSeries load = p.load();
      int[][] requests = load.requests();
      float[][] kv = load.kvUsage();
      int count = Math.min(load.instances().size(), Math.min(requests.length, kv.length));
      html.append("<h3>").append(escape(p.name())).append("</h3>\n<div class=\"charts\">\n");
      html.append(loadChart("Requests per instance", "requests (running + waiting)", load, count,
          samples(count, i -> requests[i].length), (i, s) -> requests[i][s]));
      html.append(loadChart("KV-cache usage per instance", "KV-cache usage", load, count,
          samples(count, i -> kv[i].length), (i, s) -> kv[i][s]));
      html.append("</div>\n");
    }
  }

  /** One value of the load matrix, so int requests and float KV usage share the drawing. */
  private interface Sample {
    double at(int instance, int sample);
  }

  private static String loadChart(String title, String yLabel, LoadSeries load, int count,
      int samples, Sample sample) {
    double[] times = IntStream.range(0, samples).mapToDouble(s -> s * load.intervalSeconds())
        .toArray();
    List<Line> lines = new ArrayList<>();
    String heading = title;
    if (count <= MAX_INSTANCE_LINES) {
      for (int i = 0; i < count; i++) {
        int instance = i;
        double[] ys = IntStream.range(0, samples).mapToDouble(s -> sample.at(instance, s))
            .toArray();
        lines.add(new Line(load.instances().get(i), colour(i), 1, times, ys));
      }
    } else {
      double[] min = new double[samples];
      double[] mean = new double[samples];
      double[] max = new double[samples];
      for (int s = 0; s < samples; s++) {
        min[s] = Double.POSITIVE_INFINITY;
        max[s] = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
          double v = sample.at(i, s);
          min[s] = Math.min(min[s], v);
          max[s] = Math.max(max[s], v);
          mean[s] += v / count;
        }
      }
      lines.add(new Line("max", "#d62728", 1.5, times, max));
      lines.add(new Line("mean", "#1f77b4", 1.5, times, mean));
      lines.add(new Line("min", "#2ca02c", 1.5, times, min));
      heading = title + " (max, mean, min of " + count + ")";
    }
    return new SvgChart(heading, "time (s)", yLabel, false, 1).render(lines);
  }

  /** Samples every instance has; rows should agree, but a short one must not break the page. */
  private static int samples(int count, IntUnaryOperator length) {
    return IntStream.range(0, count).map(length).min().orElse(0);
  }

  private static String colour(int index) {
    return PALETTE.get(index % PALETTE.size());
  }

  /** Fewer decimals as values grow: enough to compare, not so many that columns blur. */
  private static String fixed(double v) {
    if (!Double.isFinite(v)) {
      return "&mdash;";
    }
    String format = Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, format, v);
  }

  private static String percent(double fraction) {
    return Double.isFinite(fraction)
        ? String.format(Locale.ROOT, "%.1f%%", fraction * 100) : "&mdash;";
  }

  private static String ratio(double value, double baseline) {
    @Nullable Double ratio = JsonReport.ratio(value, baseline);
    return ratio == null ? "&mdash;" : String.format(Locale.ROOT, "%.2f&times;", ratio);
  }
}
