package io.llumnix.metrics.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.metrics.MetricSpec;
import io.llumnix.core.metrics.MetricType;
import io.llumnix.core.metrics.VllmMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.testing.Promtool;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Serves the whole catalogue over real HTTP, with a series for every metric, and checks the
 * exposition with the real promtool.
 */
class OperatorRoutesIntegrationTest {

  private static Vertx vertx;
  private static WebClient client;
  private static int port;
  private static final AtomicBoolean healthy = new AtomicBoolean(true);

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ComponentMetrics metrics = ComponentMetrics.create(ComponentMetrics.DEFAULT_MAX_LABEL_SETS);
    List<MetricSpec> all = new ArrayList<>(LlumnixMetrics.all());
    all.addAll(VllmMetrics.specs(8192, VllmMetrics.Compatibility.of("0.11.0", "0.10")));
    metrics.registerAll(all);
    for (MetricSpec spec : all) {
      if (spec.name().equals(LlumnixMetrics.UPTIME_SECONDS.name())) {
        continue; // served by a callback
      }
      String[] values = spec.labelNames().stream().map(l -> "v-" + l).toArray(String[]::new);
      switch (spec.type()) {
        case COUNTER -> metrics.counter(spec).labels(values).inc(3);
        case GAUGE -> metrics.gauge(spec).labels(values).set(1.5);
        case HISTOGRAM -> metrics.histogram(spec).labels(values).observe(spec.buckets().get(0));
      }
    }
    Router router = Router.router(vertx);
    OperatorRoutes.mount(router, metrics, healthy::get);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    port = server.actualPort();
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> get(String path, String accept) throws Exception {
    var request = client.get(port, "127.0.0.1", path);
    if (accept != null) {
      request.putHeader("Accept", accept);
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  @Test
  void metricsPassPromtool() throws Exception {
    HttpResponse<Buffer> response = get("/metrics", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
    String body = response.bodyAsString();
    assertThat(body).contains("request_ttft_milliseconds_bucket", "vllm:request_success_total",
        "instance_lrs_running_tokens", "uptime_seconds", "jvm_threads_current");

    Promtool.Result result = Promtool.checkMetrics(body);
    assertThat(result.parsed()).as("promtool output: %s", result.problems()).isTrue();
    assertThat(result.unexpectedProblems()).isEmpty();
  }

  @Test
  void everyCatalogueMetricIsExposedWithItsType() throws Exception {
    String body = get("/metrics", null).bodyAsString();
    for (MetricSpec spec : LlumnixMetrics.all()) {
      String type = spec.type().name().toLowerCase(java.util.Locale.ROOT);
      assertThat(body).contains("# TYPE " + spec.name() + " " + type);
    }
    assertThat(MetricType.values()).hasSize(3);
  }

  @Test
  void servesOpenMetricsWhenAsked() throws Exception {
    HttpResponse<Buffer> response =
        get("/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(response.getHeader("Content-Type")).startsWith("application/openmetrics-text");
    assertThat(response.bodyAsString()).endsWith("# EOF\n");
  }

  @Test
  void healthzAnswersOkWhileHealthy() throws Exception {
    HttpResponse<Buffer> ok = get("/healthz", null);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.bodyAsString()).isEqualTo("ok");
    healthy.set(false);
    try {
      assertThat(get("/healthz", null).statusCode()).isEqualTo(503);
    } finally {
      healthy.set(true);
    }
  }
}
