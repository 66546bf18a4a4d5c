package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.config.ConfigSource;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.metrics.MetricSpec;
import io.llumnix.core.metrics.MetricType;
import io.llumnix.core.metrics.VllmMetrics;
import io.llumnix.local.LocalCluster;
import io.llumnix.local.LocalPrometheus;
import io.llumnix.testing.Promtool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Proves the dashboards of {@code deploy/observability/}: a real Prometheus, configured as
 * {@code llumnix local --prometheus} configures it (the labels the Kubernetes monitors attach),
 * scrapes four local clusters — full mode and lite mode, each neutral and prefill/decode
 * disaggregated — while load goes through their gateways, and every query of every panel is
 * evaluated through Prometheus' HTTP API. Each must parse; each panel returns data unless it
 * waits for a feature listed in {@link #EXPECTED_EMPTY}, and those must return none.
 */
class DashboardTest {

  static final Path DASHBOARDS = Path.of("../deploy/observability");
  static final String NAMESPACE = "llumnix-test";

  /** Panels ("dashboard uid / row / title") of features not built yet, with the feature. */
  static final Map<String, String> EXPECTED_EMPTY = expectedEmpty();

  static Map<String, String> expectedEmpty() {
    Map<String, String> empty = new TreeMap<>();
    String slo = "SLO-aware scheduling (predicted TTFT/TPOT)";
    empty.put("llumnix-cms / Selected Instance / Selected Instance Predicted TTFT", slo);
    empty.put("llumnix-cms / Selected Instance / Selected Instance Predicted TPOT", slo);
    return empty;
  }

  static final HttpClient http = HttpClient.newHttpClient();
  /**
   * A full-mode cluster (the default) and a lite-mode one, neutral and prefill/decode, all
   * scraped by one Prometheus.
   */
  static LocalCluster full;
  static LocalCluster lite;
  static LocalCluster fullPd;
  static LocalCluster litePd;
  static LocalPrometheus scraper;
  static URI prometheus;
  /** An external server the lite cluster's gateway falls back to: every other answer is 429. */
  static com.sun.net.httpserver.HttpServer external;

  static LocalCluster cluster(String... extra) throws Exception {
    int[] ports = RunnableJarIT.distinctFreePorts(2);
    CommandLine commandLine = Main.commandLine(ConfigSource.of(Map.of(), null),
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<String> args = new ArrayList<>(List.of("local",
        "--port", "" + ports[0], "--scheduler-port", "" + ports[1],
        "--engine-base-port", "0", "--instances", "3", "--speedup", "20",
        "--output-length-mean", "8", "--tokenizer-name", "builtin", "--retry-max-count", "2"));
    args.addAll(List.of(extra));
    CommandLine.ParseResult parsed = commandLine.parseArgs(args.toArray(String[]::new));
    return ((LocalCommand) parsed.subcommand().commandSpec().userObject()).start();
  }

  static List<String> targets(List<Integer> ports) {
    return ports.stream().map(p -> "127.0.0.1:" + p).toList();
  }

  @BeforeAll
  static void startClusterAndDriveLoad() throws Exception {
    // Cache-aware (local's default backend, the engines' KV events), looking up every prompt.
    full = cluster("--enable-cache-aware-scheduling", "--cache-aware-scheduling-min-tokens", "1");
    external = rateLimitedServer();
    // Requests for a model no route matches fall back to the external server; its 429s go to
    // the retry queue, which tries again 10 ms later and is answered.
    lite = cluster("--no-enable-full-mode-scheduling", "--route-policy", "prefix",
        "--route-config", "[{\"base_url\": \"local\", \"prefix\": \"m\"}, {\"base_url\": "
            + "\"http://127.0.0.1:" + external.getAddress().getPort() + "/v1\", \"fallback\": true}]",
        "--fallback-retry-queue-enabled", "--fallback-retry-init-delay-ms", "10");
    fullPd = cluster("--pd", "1:1");
    litePd = cluster("--pd", "1:1", "--separate-pd-scheduling", "--no-enable-full-mode-scheduling");
    List<LocalCluster> clusters = List.of(full, lite, fullPd, litePd);
    int prometheusPort = RunnableJarIT.distinctFreePorts(1)[0];
    Map<String, List<String>> engines = new TreeMap<>();
    for (LocalCluster cluster : clusters) {
      cluster.instances().forEach(i -> engines.computeIfAbsent(i.inferType().label(),
          type -> new ArrayList<>()).add(i.endpoint()));
    }
    scraper = LocalPrometheus.start(LocalPrometheus.config(new LocalPrometheus.Targets(NAMESPACE,
        targets(clusters.stream().map(LocalCluster::gatewayPort).toList()),
        targets(clusters.stream().map(LocalCluster::schedulerPort).toList()),
        "llumnix/sim-llama3-8b", engines), Duration.ofMillis(500)), prometheusPort);
    prometheus = scraper.url();
    int targets = 2 * clusters.size() + engines.values().stream().mapToInt(List::size).sum();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        query("count(up{namespace=\"" + NAMESPACE + "\"} == 1)").getJsonArray("result")
            .size() == 1 && value(query("count(up{namespace=\"" + NAMESPACE + "\"} == 1)"))
            == targets);

    // Two rounds with scrapes between them, so every series exists before it increases and
    // rate() sees the increase. Between them one lite-mode engine stops: requests sent to it
    // retry elsewhere.
    for (LocalCluster cluster : clusters) {
      drive(cluster, 20);
    }
    fallBack(lite, 3);
    awaitScrapes(3);
    lite.engines().stopInstance(0);
    for (LocalCluster cluster : clusters) {
      drive(cluster, 30);
    }
    fallBack(lite, 3);
    post(lite, "/v1/completions", "{\"prompt\": 3}"); // a 400
    awaitScrapes(3);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable closeable : new AutoCloseable[] {scraper, full, lite, fullPd, litePd}) {
      if (closeable != null) {
        closeable.close();
      }
    }
    if (external != null) {
      external.stop(0);
    }
  }

  static com.sun.net.httpserver.HttpServer rateLimitedServer() throws Exception {
    var server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    var answered = new java.util.concurrent.atomic.AtomicInteger();
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      boolean limited = answered.getAndIncrement() % 2 == 0;
      byte[] body = (limited ? "{\"error\": {\"message\": \"slow down\", \"code\": 429}}"
          : "{\"id\": \"cmpl-external\", \"object\": \"text_completion\", \"choices\": "
              + "[{\"index\": 0, \"text\": \"hi\", \"finish_reason\": \"stop\"}]}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(limited ? 429 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server;
  }

  /** Sends {@code requests} for a model only the fallback serves, one at a time. */
  static void fallBack(LocalCluster cluster, int requests) throws Exception {
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + cluster.gatewayPort() + "/v1/completions"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"elsewhere\", "
              + "\"prompt\": \"x\", \"max_tokens\": 1}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  static void drive(LocalCluster cluster, int requests) {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      String body = i % 2 == 0
          ? "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about request " + i
              + "\"}],\"max_tokens\":12,\"stream\":true}"
          : "{\"prompt\":\"Summarize item " + i + " in a few words\",\"max_tokens\":12}";
      sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + cluster.gatewayPort() + (i % 2 == 0 ? "/v1/chat/completions" : "/v1/completions")))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (var response : sent) {
      HttpResponse<String> done = response.join();
      assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    }
  }

  static void post(LocalCluster cluster, String path, String body) throws Exception {
    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.gatewayPort()
        + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until Prometheus has scraped the gateway {@code count} more times. */
  static void awaitScrapes(int count) throws Exception {
    String samples = "count_over_time(up{job=\"gateway\"}[1h])";
    double start = value(query(samples));
    await().atMost(Duration.ofSeconds(30)).until(() -> value(query(samples)) >= start + count);
  }

  static double value(JsonObject data) {
    JsonArray result = data.getJsonArray("result");
    return result.isEmpty() ? 0
        : Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
  }

  /** The {@code data} of an instant query; fails on a query Prometheus rejects. */
  static JsonObject query(String promql) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(prometheus.resolve(
        "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("status")).as("%s: %s", promql, response.body())
        .isEqualTo("success");
    return body.getJsonObject("data");
  }

  /** A panel's queries, with Grafana's variables substituted. */
  record Panel(String key, List<String> queries) {}

  static List<JsonObject> dashboards() throws Exception {
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      List<JsonObject> dashboards = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        dashboards.add(new JsonObject(Files.readString(file)));
      }
      return dashboards;
    }
  }

  static List<Panel> panels() throws Exception {
    List<Panel> panels = new ArrayList<>();
    for (JsonObject dashboard : dashboards()) {
      String row = "";
      for (Object item : dashboard.getJsonArray("panels")) {
        JsonObject panel = (JsonObject) item;
        if (panel.getString("type").equals("row")) {
          row = panel.getString("title");
          continue;
        }
        List<String> queries = new ArrayList<>();
        for (Object target : panel.getJsonArray("targets")) {
          queries.add(((JsonObject) target).getString("expr")
              .replace("$namespace", NAMESPACE).replace("$__rate_interval", "1m"));
        }
        panels.add(new Panel(dashboard.getString("uid") + " / " + row + " / "
            + panel.getString("title"), queries));
      }
    }
    return panels;
  }

  @Test
  void everyPanelReturnsDataUnlessItsFeatureIsNotBuiltYet() throws Exception {
    List<Panel> panels = panels();
    assertThat(panels).hasSizeGreaterThan(70);
    assertThat(panels.stream().map(Panel::key)).doesNotHaveDuplicates()
        .containsAll(EXPECTED_EMPTY.keySet());
    List<String> withoutData = new ArrayList<>();
    List<String> unexpectedlyWithData = new ArrayList<>();
    for (Panel panel : panels) {
      boolean hasData = false;
      for (String promql : panel.queries()) {
        for (Object sample : query(promql).getJsonArray("result")) {
          String v = ((JsonObject) sample).getJsonArray("value").getString(1);
          hasData |= !v.equals("NaN");
        }
      }
      if (EXPECTED_EMPTY.containsKey(panel.key()) && hasData) {
        unexpectedlyWithData.add(panel.key() + " (" + EXPECTED_EMPTY.get(panel.key())
            + " has landed: take it off EXPECTED_EMPTY)");
      } else if (!EXPECTED_EMPTY.containsKey(panel.key()) && !hasData) {
        withoutData.add(panel.key() + " " + panel.queries());
      }
    }
    assertThat(withoutData).as("panels without data").isEmpty();
    assertThat(unexpectedlyWithData).as("expected-empty panels with data").isEmpty();
  }

  @Test
  void theRetryAndFallbackPanelShowsEachOfItsSeries() throws Exception {
    Panel panel = panels().stream()
        .filter(p -> p.key().endsWith("Retry & Fallback Rate")).findFirst().orElseThrow();
    assertThat(panel.queries()).hasSize(3).anySatisfy(q -> assertThat(q)
        .contains("request_fallback_total")).anySatisfy(q -> assertThat(q)
        .contains("request_fallback_retry_success_total"));
    for (String promql : panel.queries()) {
      assertThat(query(promql).getJsonArray("result")).as(promql).isNotEmpty();
      if (promql.contains("fallback")) { // fell back in both rounds: a rate above 0
        assertThat(value(query(promql))).as(promql).isPositive();
      }
    }
  }

  @Test
  void templateVariablesMatchTheScrapedLabels() throws Exception {
    for (JsonObject dashboard : dashboards()) {
      JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
      assertThat(variables.stream().map(v -> ((JsonObject) v).getString("name")))
          .containsExactly("DS_PROMETHEUS", "namespace");
      assertThat(dashboard.getInteger("schemaVersion")).isGreaterThanOrEqualTo(36);
      assertThat(dashboard.getJsonObject("time").getString("from")).isEqualTo("now-1h");
    }
    assertThat(dashboards().stream().map(d -> d.getString("uid"))).doesNotHaveDuplicates()
        .hasSize(5);
    HttpResponse<String> values = http.send(HttpRequest.newBuilder(
        prometheus.resolve("/api/v1/label/namespace/values")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(values.body()).getJsonArray("data")).contains(NAMESPACE);
    for (Panel panel : panels()) {
      for (String promql : panel.queries()) {
        assertThat(promql).as(panel.key()).contains("namespace=\"" + NAMESPACE + "\"")
            .doesNotContain("$");
      }
    }
  }

  @Test
  void theGeneratedScrapeConfigPassesPromtool() throws Exception {
    String config = LocalPrometheus.config(new LocalPrometheus.Targets("ns",
        List.of("127.0.0.1:8089"), List.of("127.0.0.1:8088"), "Qwen/Qwen3-8B",
        Map.of("prefill", List.of("127.0.0.1:8000"), "decode", List.of("127.0.0.1:8001"))),
        Duration.ofSeconds(10));
    var result = Promtool.checkConfig(config);
    assertThat(result.exitCode()).as(String.join("\n", result.problems())).isZero();
    assertThat(config).contains("infer_type: 'prefill'", "infer_type: 'decode'",
        "job_name: 'llumnix-engine-prefill'", "model: 'Qwen/Qwen3-8B'", "namespace: 'ns'");
  }

  static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
  /**
   * The seed names Go's runtime metrics; JVM ones take their place (docs/architecture.md,
   * "Where we deliberately differ", item 13).
   */
  static final Map<String, String> RUNTIME_REPLACEMENTS = Map.of(
      "go_goroutines", "jvm_threads_current", "go_memstats_alloc_bytes", "jvm_memory_used_bytes");

  @Test
  void everySeedMetricIsOnADashboardAndEveryQueriedMetricExists() throws Exception {
    Map<String, MetricType> catalogue = new HashMap<>();
    for (MetricSpec spec : LlumnixMetrics.all()) {
      catalogue.put(spec.name(), spec.type());
    }
    for (MetricSpec spec : VllmMetrics.specs(8192, new VllmMetrics.Compatibility(true, true))) {
      catalogue.put(spec.name(), spec.type());
    }
    // Runtime metrics come from the Prometheus client, as a component exposes them.
    String exposition = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + full.gatewayPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
        .body();
    Set<String> exposed = new TreeSet<>();
    exposition.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .forEach(l -> exposed.add(l.split("[{ ]", 2)[0]));

    Set<String> queried = new TreeSet<>();
    for (Panel panel : panels()) {
      for (String promql : panel.queries()) {
        Matcher m = SELECTOR.matcher(promql);
        while (m.find()) {
          queried.add(m.group(1));
        }
      }
    }
    List<String> unknown = new ArrayList<>();
    Set<String> queriedFamilies = new TreeSet<>();
    for (String name : queried) {
      String family = family(name, catalogue);
      queriedFamilies.add(family);
      boolean runtime = (name.startsWith("jvm_") || name.startsWith("process_"))
          && exposed.contains(name);
      if (!catalogue.containsKey(family) && !runtime) {
        unknown.add(name);
      }
    }
    assertThat(unknown).as("queried metrics missing from the catalogue").isEmpty();

    Set<String> seed = seedMetricNames();
    assertThat(seed).hasSizeGreaterThan(70).contains("request_total", "vllm:kv_cache_usage_perc");
    List<String> missing = seed.stream()
        .map(name -> RUNTIME_REPLACEMENTS.getOrDefault(name, name))
        .filter(name -> !queriedFamilies.contains(name)).toList();
    assertThat(missing).as("seed metrics on no dashboard").isEmpty();
  }

  /** The catalogued family a queried series name belongs to. */
  static String family(String name, Map<String, MetricType> catalogue) {
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      String base = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length())
          : null;
      if (base != null && catalogue.get(base) == MetricType.HISTOGRAM) {
        return base;
      }
    }
    return name;
  }

  /** Every metric name in the seed's description of the dashboards. */
  static Set<String> seedMetricNames() throws Exception {
    String seed = Files.readString(Path.of("../docs/seed/observability.txt"));
    Matcher m = Pattern.compile("\\b((?:request|gateway|scheduler|instance|selected|uptime|go|"
        + "vllm)[a-z_:]*_[a-z_:]+)\\b").matcher(seed);
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
