package io.llumnix.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

  private static final Cdf EMPTY_CDF = new Cdf(new double[0], new double[0]);

  @Test
  void rendersASelfContainedPage() {
    String html = HtmlReport.render(report(3, 20));

    assertThat(html).startsWith("<!DOCTYPE html>");
    assertThat(html).contains("<h1>Llumnix simulation</h1>");
    assertThat(html).contains("<th>model</th><td>llama-3-8b &amp; friends</td>");
    assertThat(html).contains("<th>full:load-balance</th>", "<th>round-robin</th>");
    // Three CDFs plus requests and KV usage for each of the two policies.
    assertThat(count(html, "<svg ")).isEqualTo(3 + 2 * 2);
    assertThat(html).contains("no data", "0.31&times;", "instance-2").doesNotContain("<script");
    assertThat(html).doesNotContainPattern("[^\\x00-\\x7f]");
  }

  @Test
  void referencesNothingButTheSvgNamespace() {
    String html = HtmlReport.render(report(3, 20));

    Matcher urls = Pattern.compile("https?://[^\"'\\s<>]*").matcher(html);
    while (urls.find()) {
      assertThat(urls.group()).isEqualTo("http://www.w3.org/2000/svg");
    }
    assertThat(html).doesNotContainIgnoringCase("@import").doesNotContain("src=");
  }

  @Test
  void escapesPolicyNamesAndSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("<b>", "\"quoted\" & 'single'");
    PolicyResult odd = policy("a<&>b", 3, 20, true);
    String html = HtmlReport.render(new SimulationReport(settings, List.of(odd)));

    assertThat(html).contains("a&lt;&amp;&gt;b", "&lt;b&gt;",
        "&quot;quoted&quot; &amp; &#39;single&#39;");
    assertThat(html).doesNotContain("a<&>b", "<b>");
  }

  @Test
  void keepsSettingsInOrder() {
    String html = HtmlReport.render(report(3, 20));

    assertThat(html.indexOf("<th>model</th>")).isLessThan(html.indexOf("<th>instances</th>"));
    assertThat(html.indexOf("<th>instances</th>")).isLessThan(html.indexOf("<th>seed</th>"));
  }

  @Test
  void isDeterministic() {
    assertThat(HtmlReport.render(report(3, 20))).isEqualTo(HtmlReport.render(report(3, 20)));
  }

  @Test
  void staysSmallForLargeClusters() {
    String html = HtmlReport.render(report(200, 5000));

    assertThat(html.length()).isLessThan(2_000_000);
    assertThat(html).contains("(max, mean, min of 200)").doesNotContain("instance-199");
  }

  @Test
  void rendersAnEmptyRun() {
    String html = HtmlReport.render(new SimulationReport(Map.of(), List.of()));

    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(count(html, "<svg ")).isEqualTo(3);
  }

  private static SimulationReport report(int instances, int samples) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("model", "llama-3-8b & friends");
    settings.put("instances", Integer.toString(instances));
    settings.put("seed", "42");
    return new SimulationReport(settings, List.of(policy("round-robin", instances, samples,
        false), policy("full:load-balance", instances, samples, true)));
  }

  /** A policy with made-up but plausible numbers; {@code empty} leaves its CDFs without data. */
  private static PolicyResult policy(String name, int instances, int samples, boolean empty) {
    double scale = empty ? 0.31 : 1;
    Summary ttft = new Summary(100, 200 * scale, 150 * scale, 400 * scale, 900 * scale, 1200);
    Summary tpot = new Summary(100, 20 * scale, 18 * scale, 30 * scale, 45 * scale, 60);
    Summary e2e = new Summary(100, 2000, 1800, 3500, 5200, 7000);
    Cdf ttftCdf = empty ? EMPTY_CDF
        : new Cdf(new double[] {5, 40, 150, 900, 1200}, new double[] {0.1, 0.3, 0.5, 0.99, 1});
    Cdf tpotCdf = empty ? EMPTY_CDF
        : new Cdf(new double[] {12, 18, 30, 60}, new double[] {0.2, 0.5, 0.9, 1});
    Cdf e2eCdf = empty ? EMPTY_CDF
        : new Cdf(new double[] {900, 1800, 7000}, new double[] {0.1, 0.5, 1});
    List<String> names = IntStream.range(0, instances).mapToObj(i -> "instance-" + i).toList();
    int[][] requests = new int[instances][samples];
    float[][] kv = new float[instances][samples];
    for (int i = 0; i < instances; i++) {
      for (int s = 0; s < samples; s++) {
        requests[i][s] = (i * 7 + s * 13) % 23;
        kv[i][s] = ((i * 31 + s * 17) % 101) / 100f;
      }
    }
    return new PolicyResult(name, ttft, tpot, Summary.EMPTY, e2e, 100, 2, 5, 0.42, 1234.5,
        3.2, 3.0, 0.94, 31.25, 0.8, ttftCdf, tpotCdf, e2eCdf,
        new LoadSeries(0.5, names, requests, kv));
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }
}
