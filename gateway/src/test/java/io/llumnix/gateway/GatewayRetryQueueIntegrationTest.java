package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.time.ManualClock;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.gateway.route.RetryQueueSettings;
import io.llumnix.gateway.route.RouteSettings;
import io.llumnix.testing.TestClocks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 429 retry queue of fallbacks, on the gateway's clock (a manual one, so each wait is
 * seen), and a route config file rewritten while requests run.
 */
class GatewayRetryQueueIntegrationTest {

  @TempDir static Path dir;
  static Vertx vertx;
  static WebClient web;
  static EngineSimulator engine;
  static Upstream limited;
  static Upstream other;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    engine = Fixtures.engine(50);
    limited = new Upstream(vertx, "limited");
    other = new Upstream(vertx, "other");
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  @BeforeEach
  void forget() {
    limited.seen.clear();
    limited.rateLimited.set(0);
    other.seen.clear();
  }

  /** A gateway with no instance, whose requests all fall back to the rate-limited server. */
  static int gateway(ManualClock clock, RetryQueueSettings queue) throws Exception {
    String routes = new JsonArray().add(new JsonObject().put("base_url", "local")
        .put("weight", 1)).add(new JsonObject().put("base_url", limited.url())
        .put("fallback", true)).encode();
    return Fixtures.roundRobin(vertx, List.of(), Fixtures.config()
        .routes(new RouteSettings("weight", routes, 1000, queue)).build(), clock).actualPort();
  }

  static Future<HttpResponse<Buffer>> complete(int gateway) {
    return web.post(gateway, "127.0.0.1", "/v1/completions").sendJsonObject(
        new JsonObject().put("model", "m").put("prompt", "limit me").put("max_tokens", 1));
  }

  /** Waits for the next timer, checks it is {@code millis} away, and lets it fire. */
  static void nextWait(ManualClock clock, long millis) {
    await().atMost(Duration.ofSeconds(10)).until(() -> clock.pendingTimers() == 1);
    assertThat(clock.millisToNextTimer()).isEqualTo(millis);
    clock.advanceMillis(millis);
  }

  @Test
  void aRateLimitedFallbackIsRetriedWithGrowingWaitsUntilAnswered() throws Exception {
    ManualClock clock = TestClocks.onEventLoops(0);
    int gateway = gateway(clock, new RetryQueueSettings(true, 10, 2, 3, 100, 150));
    limited.rateLimited.set(3); // the fallback, then two retries
    Future<HttpResponse<Buffer>> response = complete(gateway);
    nextWait(clock, 100); // init
    nextWait(clock, 150); // 2 · init, capped at the max
    nextWait(clock, 150);
    assertThat(limited.answered(response.await(10, TimeUnit.SECONDS).bodyAsJsonObject()))
        .isTrue();
    assertThat(limited.seen).hasSize(4);
    assertThat(Fixtures.metric(web, gateway,
        "request_fallback_total{model=\"m\",status_code=\"429\"}"))
        .isEqualTo(1);
    assertThat(Fixtures.metric(web, gateway, "request_fallback_retry_success_total{model=\"m\"}"))
        .isEqualTo(1);
  }

  @Test
  void retriesThatRunOutAnswerTheLast429() throws Exception {
    ManualClock clock = TestClocks.onEventLoops(0);
    int gateway = gateway(clock, new RetryQueueSettings(true, 10, 2, 2, 100, 1000));
    limited.rateLimited.set(100);
    Future<HttpResponse<Buffer>> response = complete(gateway);
    nextWait(clock, 100);
    nextWait(clock, 200);
    HttpResponse<Buffer> answer = response.await(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(429);
    assertThat(answer.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .isEqualTo("slow down");
    assertThat(limited.seen).hasSize(3);
    assertThat(Fixtures.metric(web, gateway,
        "request_fallback_retry_success_total{model=\"m\"}")).isZero();
  }

  @Test
  void aFullQueueAnswers429AtOnceAndAQueueOffAnswersItAtOnce() throws Exception {
    ManualClock clock = TestClocks.onEventLoops(0);
    int gateway = gateway(clock, new RetryQueueSettings(true, 0, 1, 1, 100, 100));
    limited.rateLimited.set(100);
    Future<HttpResponse<Buffer>> held = complete(gateway);
    await().atMost(Duration.ofSeconds(10)).until(() -> clock.pendingTimers() == 1);
    HttpResponse<Buffer> refused = complete(gateway).await(10, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(429); // the one worker is taken, no room
    assertThat(held.isComplete()).isFalse();
    clock.advanceMillis(100);
    assertThat(held.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(429);

    int off = gateway(clock, RetryQueueSettings.DEFAULT);
    assertThat(complete(off).await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(429);
    assertThat(clock.pendingTimers()).isZero();
  }

  @Test
  void aClientThatLeavesWhileHeldGivesItsPlaceBackAndIsNotRetried() throws Exception {
    ManualClock clock = TestClocks.onEventLoops(0);
    int gateway = gateway(clock, new RetryQueueSettings(true, 0, 1, 3, 100, 100));
    limited.rateLimited.set(100);
    Future<HttpResponse<Buffer>> gone = web.post(gateway, "127.0.0.1", "/v1/completions")
        .timeout(300).sendJsonObject(new JsonObject().put("model", "m").put("prompt", "bye"));
    await().atMost(Duration.ofSeconds(10)).until(gone::failed);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Fixtures.metric(web, gateway, "request_total{model=\"m\",status_code=\"499\"}") == 1);
    nextWait(clock, 100); // the held try is dropped, not sent
    Future<HttpResponse<Buffer>> next = complete(gateway);
    await().atMost(Duration.ofSeconds(10)).until(() -> limited.seen.size() == 2
        && clock.pendingTimers() == 1); // held in the place the first one left
    assertThat(next.isComplete()).isFalse();
    limited.rateLimited.set(0);
    clock.advanceMillis(100);
    assertThat(limited.answered(next.await(10, TimeUnit.SECONDS).bodyAsJsonObject())).isTrue();
  }

  @Test
  void aRouteConfigFileRewrittenUnderLoadFailsNoRequest() throws Exception {
    Path file = dir.resolve("routes.json");
    String localOnly = "[{\"base_url\": \"local\", \"weight\": 1}]";
    String split = "[{\"base_url\": \"local\", \"weight\": 1}, {\"base_url\": \""
        + other.url() + "/v1\", \"weight\": 1}]";
    String externalOnly = "[{\"base_url\": \"" + other.url() + "\", \"weight\": 1}]";
    Files.writeString(file, localOnly);
    int gateway = Fixtures.roundRobin(vertx, List.of(Fixtures.instance(engine)),
        Fixtures.config().routes(new RouteSettings("weight", file.toString(), 20,
            RetryQueueSettings.DEFAULT)).build(), null).actualPort();
    List<String> versions = List.of(split, "[{\"base_url\": \"ftp://bad\"}]", externalOnly,
        "not json", split, localOnly, externalOnly);
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (String version : versions) {
      Path next = dir.resolve("routes.next");
      Files.writeString(next, version);
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      for (int round = 0; round < 5; round++) {
        List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          batch.add(complete(gateway));
        }
        Future.all(batch).await(30, TimeUnit.SECONDS);
        all.addAll(batch);
      }
    }
    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(200));
    assertThat(other.seen).isNotEmpty();
    // The last good version is in force: everything goes to the external server.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        other.answered(complete(gateway).await(10, TimeUnit.SECONDS).bodyAsJsonObject()));
    int before = other.seen.size();
    for (int i = 0; i < 10; i++) {
      assertThat(other.answered(complete(gateway).await(10, TimeUnit.SECONDS)
          .bodyAsJsonObject())).isTrue();
    }
    assertThat(other.seen.size() - before).isEqualTo(10);
  }
}
