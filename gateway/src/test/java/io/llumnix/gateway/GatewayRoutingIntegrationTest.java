package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.ManualClock;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.gateway.route.RetryQueueSettings;
import io.llumnix.gateway.route.RouteSettings;
import io.llumnix.runtime.process.ChildProcess;
import io.llumnix.testing.Exposition;
import io.llumnix.testing.TestClocks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing between the local cluster (a simulated engine) and external servers over real
 * sockets: the weight and prefix policies, what an external server gets, and each way a
 * request falls back — no instance, an internal failure after its retries, an external error.
 * The 429 queue and config reloads are in {@link GatewayRetryQueueIntegrationTest}.
 */
class GatewayRoutingIntegrationTest {

  static Vertx vertx;
  static WebClient web;
  static EngineSimulator engine;
  static EngineSimulator externalEngine;
  static Upstream a;
  static Upstream b;
  static Upstream c;
  static Upstream failing;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    engine = Fixtures.engine(50);
    externalEngine = Fixtures.engine(50);
    a = new Upstream(vertx, "a");
    b = new Upstream(vertx, "b");
    c = new Upstream(vertx, "c");
    failing = new Upstream(vertx, "failing");
    failing.failWith = 500;
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
    externalEngine.close();
  }

  @BeforeEach
  void forget() {
    for (Upstream upstream : List.of(a, b, c, failing)) {
      upstream.seen.clear();
    }
  }

  static JsonObject entry(String baseUrl) {
    return new JsonObject().put("base_url", baseUrl);
  }

  /** A gateway over {@code instances}, routing by {@code policy} over {@code entries}. */
  static int gateway(List<LlmInstance> instances, String policy, JsonObject... entries)
      throws Exception {
    return gateway(instances, null, Fixtures.config().routes(new RouteSettings(policy,
        new JsonArray(List.of((Object[]) entries)).encode(), 1000,
        RetryQueueSettings.DEFAULT)));
  }

  static int gateway(List<LlmInstance> instances, @Nullable ManualClock clock,
      GatewayConfig.Builder config) throws Exception {
    return Fixtures.roundRobin(vertx, instances, config.build(), clock).actualPort();
  }

  static List<LlmInstance> local() {
    return List.of(Fixtures.instance(engine));
  }

  static Future<HttpResponse<Buffer>> complete(int gateway, String model) {
    return web.post(gateway, "127.0.0.1", "/v1/completions").sendJsonObject(
        new JsonObject().put("model", model).put("prompt", "route me").put("max_tokens", 1));
  }

  static HttpResponse<Buffer> answer(int gateway, String model) throws Exception {
    return complete(gateway, model).await(30, TimeUnit.SECONDS);
  }

  static String fallbacks(String model, String status) {
    return "request_fallback_total{model=\"" + model + "\",status_code=\"" + status + "\"}";
  }

  @Test
  void weightSplitsTwoThousandRequestsByTheirWeights() throws Exception {
    int gateway = gateway(local(), "weight", entry("local").put("weight", 3),
        entry(a.url()).put("weight", 1));
    int local = 0;
    for (int start = 0; start < 2000; start += 50) {
      List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batch.add(complete(gateway, "m"));
      }
      Future.all(batch).await(60, TimeUnit.SECONDS);
      for (var response : batch) {
        assertThat(response.result().statusCode()).isEqualTo(200);
        if (!a.answered(response.result().bodyAsJsonObject())) {
          local++;
        }
      }
    }
    // Binomial(2000, 1/4): 500 ± 19.4 to the external server; ±5 standard deviations.
    assertThat(a.seen.size()).isBetween(403, 597).isEqualTo(2000 - local);
    assertThat(Fixtures.metric(web, gateway, "request_total{model=\"m\",status_code=\"200\"}"))
        .isEqualTo(2000);
  }

  @Test
  void anExternalServerGetsTheRawRequestTheClientsHeadersAndItsKey() throws Exception {
    int gateway = gateway(local(), "prefix",
        entry(a.url() + "/v1/").put("prefix", "ext").put("api_key", "sk-a"),
        entry(b.url()).put("prefix", "plain"));
    String raw = "{ \"model\" : \"ext\", \"prompt\": \"kept as sent\", \"max_tokens\": 1,"
        + " \"unknown_field\": [1, 2] }";
    HttpResponse<Buffer> response = web.post(gateway, "127.0.0.1", "/v1/completions?trace=1")
        .putHeader("Authorization", "Bearer client").putHeader("X-Custom", "yes")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(raw))
        .await(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("X-Upstream")).isEqualTo("a");
    Upstream.Seen seen = a.seen.get(0);
    assertThat(seen.uri()).isEqualTo("/v1/completions?trace=1"); // base's /v1 not doubled
    assertThat(seen.body().toString()).isEqualTo(raw);
    assertThat(seen.headers().get("Authorization")).isEqualTo("Bearer sk-a");
    assertThat(seen.headers().get("X-Custom")).isEqualTo("yes");
    assertThat(seen.headers().get("X-Request-Id")).isNotEmpty();

    assertThat(answer(gateway, "plain").statusCode()).isEqualTo(200);
    assertThat(b.seen.get(0).uri()).isEqualTo("/v1/completions");
  }

  @Test
  void anExternalEngineStreamsThroughUnchanged() throws Exception {
    int gateway = gateway(local(), "weight", entry("http://127.0.0.1:"
        + externalEngine.ports().get(0) + "/v1").put("weight", 1));
    HttpResponse<Buffer> response = web.post(gateway, "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "stream through")
            .put("max_tokens", 5).put("stream", true)).await(30, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/event-stream");
    List<String> events = Exposition.events(response.bodyAsString());
    assertThat(events).last().isEqualTo("[DONE]");
    assertThat(events).hasSizeGreaterThanOrEqualTo(6);
    String engineMetrics = web.get(externalEngine.ports().get(0), "127.0.0.1", "/metrics")
        .send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertThat(Exposition.sum(engineMetrics, "vllm:request_success_total")).isEqualTo(1);
  }

  @Test
  void prefixTakesTheExactModelElseTheLongestPrefixElseTheFallbacks() throws Exception {
    int gateway = gateway(local(), "prefix",
        entry(b.url()).put("prefix", "ext-*"),
        entry(a.url()).put("prefix", "ext-exact"),
        entry(c.url()).put("prefix", "ext-long-*"),
        entry("local").put("prefix", "m"));
    assertThat(a.answered(answer(gateway, "ext-exact").bodyAsJsonObject())).isTrue();
    assertThat(c.answered(answer(gateway, "ext-long-1").bodyAsJsonObject())).isTrue();
    assertThat(b.answered(answer(gateway, "ext-other").bodyAsJsonObject())).isTrue();
    HttpResponse<Buffer> local = answer(gateway, "m");
    assertThat(local.statusCode()).isEqualTo(200);
    assertThat(local.bodyAsJsonObject().getString("object")).isEqualTo("text_completion");
    assertThat(a.seen.size() + b.seen.size() + c.seen.size()).isEqualTo(3);

    HttpResponse<Buffer> unmatched = answer(gateway, "other");
    assertThat(unmatched.statusCode()).isEqualTo(404); // no fallback entry either
    assertThat(unmatched.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("no route for model 'other'");

    int withFallback = gateway(local(), "prefix", entry("local").put("prefix", "m"),
        entry(a.url()).put("prefix", "a-only").put("fallback", true));
    assertThat(a.answered(answer(withFallback, "other").bodyAsJsonObject())).isTrue();
    assertThat(Fixtures.metric(web, withFallback, fallbacks("other", "success"))).isEqualTo(1);
  }

  @Test
  void noInstanceFallsBackInOrderAndTheLastErrorReachesTheClient() throws Exception {
    int down = ChildProcess.freePort();
    int gateway = gateway(List.of(), "weight", entry("local").put("weight", 1),
        entry(failing.url()).put("fallback", true),
        entry("http://127.0.0.1:" + down).put("fallback", true),
        entry(a.url()).put("fallback", true));
    HttpResponse<Buffer> response = answer(gateway, "m");
    assertThat(a.answered(response.bodyAsJsonObject())).isTrue();
    assertThat(failing.seen).hasSize(1);
    assertThat(Fixtures.metric(web, gateway, fallbacks("m", "500"))).isEqualTo(1);
    assertThat(Fixtures.metric(web, gateway, fallbacks("m", "network_error"))).isEqualTo(1);
    assertThat(Fixtures.metric(web, gateway, fallbacks("m", "success"))).isEqualTo(1);
    assertThat(Fixtures.metric(web, gateway,
        "request_total{model=\"m\",status_code=\"200\"}")).isEqualTo(1);

    int allFail = gateway(List.of(), "weight", entry("local").put("weight", 1),
        entry("http://127.0.0.1:" + down).put("fallback", true),
        entry(failing.url()).put("fallback", true));
    HttpResponse<Buffer> failed = answer(allFail, "m");
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .isEqualTo("failing failed"); // the last server's own answer

    int none = gateway(List.of(), "weight", entry("local").put("weight", 1));
    assertThat(answer(none, "m").statusCode()).isEqualTo(503); // nothing to fall back to
  }

  @Test
  void fallbacksWaitTenThenTwentyMillisecondsBetweenTries() throws Exception {
    ManualClock clock = TestClocks.onEventLoops(0);
    int gateway = gateway(List.of(), clock, Fixtures.config().routes(new RouteSettings(
        "weight", new JsonArray().add(entry("local").put("weight", 1))
            .add(entry(failing.url()).put("fallback", true))
            .add(entry(b.url()).put("fallback", true).put("api_key", "sk-b"))
            .add(entry(a.url()).put("fallback", true)).encode(),
        1000, RetryQueueSettings.DEFAULT)));
    b.failWith = 503;
    try {
      Future<HttpResponse<Buffer>> response = complete(gateway, "m");
      await().atMost(Duration.ofSeconds(10)).until(() -> clock.pendingTimers() == 1);
      assertThat(clock.millisToNextTimer()).isEqualTo(10); // after the first fallback
      clock.advanceMillis(10);
      await().atMost(Duration.ofSeconds(10)).until(() -> b.seen.size() == 1
          && clock.pendingTimers() == 1);
      assertThat(clock.millisToNextTimer()).isEqualTo(20); // after the second
      assertThat(b.seen.get(0).headers().get("Authorization")).isEqualTo("Bearer sk-b");
      clock.advanceMillis(20);
      assertThat(a.answered(response.await(10, TimeUnit.SECONDS).bodyAsJsonObject())).isTrue();
    } finally {
      b.failWith = 0;
    }
  }

  @Test
  void anInternalFailureFallsBackOnlyAfterItsRetries() throws Exception {
    LlmInstance dead = LlmInstance.ofEndpoint("127.0.0.1", ChildProcess.freePort());
    int gateway = gateway(List.of(dead), null, Fixtures.config().retryMaxCount(1)
        .routes(new RouteSettings("weight", new JsonArray()
            .add(entry("local").put("weight", 1)).add(entry(a.url()).put("fallback", true))
            .encode(), 1000, RetryQueueSettings.DEFAULT)));
    assertThat(a.answered(answer(gateway, "m").bodyAsJsonObject())).isTrue();
    assertThat(Fixtures.metric(web, gateway,
        "request_retry_total{model=\"m\",status_code=\"network_error\"}"))
        .isEqualTo(1);
    assertThat(Fixtures.metric(web, gateway, fallbacks("m", "success"))).isEqualTo(1);
    // A client error is the client's: relayed, never fallen back from.
    HttpResponse<Buffer> bad = web.post(gateway, "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "x")
            .put("max_tokens", -1)).await(10, TimeUnit.SECONDS);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(a.seen).hasSize(1);
  }

  @Test
  void anExternalErrorFallsBackWithoutTryingItsOwnUrlAgain() throws Exception {
    int gateway = gateway(local(), "weight",
        entry(failing.url()).put("weight", 1).put("fallback", true),
        entry(a.url()).put("fallback", true));
    assertThat(a.answered(answer(gateway, "m").bodyAsJsonObject())).isTrue();
    assertThat(failing.seen).hasSize(1);
    assertThat(Fixtures.metric(web, gateway, fallbacks("m", "success"))).isEqualTo(1);
    assertThat(Fixtures.metric(web, gateway,
        fallbacks("m", "500"))).isZero(); // the route, not a fallback
  }
}
