package io.llumnix.gateway;

import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.ManualClock;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.runtime.VertxClock;
import io.llumnix.runtime.process.ChildProcess;
import io.llumnix.gateway.scheduling.Balancer;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.RemoteSchedulerBalancer;
import io.llumnix.gateway.scheduling.RoundRobinBalancer;
import io.llumnix.gateway.scheduling.SchedulerSettings;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingJson;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.testing.TestClocks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway's pipeline over real sockets: retries, what reaches engines and schedulers. */
class GatewayPipelineIntegrationTest {

  static Vertx vertx;
  static WebClient web;
  static EngineSimulator engine;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    engine = Fixtures.engine(20);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  static Future<HttpResponse<Buffer>> complete(int gateway, JsonObject body) {
    return web.post(gateway, "127.0.0.1", "/v1/completions").sendJsonObject(body);
  }

  static String metrics(int port) throws Exception {
    return web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
  }

  @Test
  void aRetryWaitsTenMillisecondsFirstThenGoesElsewhere() throws Exception {
    ManualClock clock = TestClocks.onEventLoops(0);
    // Round-robin's first pick is the second instance by id: the dead one (127.0.0.2 sorts
    // after 127.0.0.1), which refuses the connection.
    LlmInstance dead = LlmInstance.ofEndpoint("127.0.0.2", ChildProcess.freePort());
    int gateway = Fixtures.roundRobin(vertx, List.of(Fixtures.instance(engine), dead),
        Fixtures.config().retryMaxCount(2).build(), clock).actualPort();
    Future<HttpResponse<Buffer>> response = complete(gateway,
        new JsonObject().put("prompt", "retry me").put("max_tokens", 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> clock.pendingTimers() == 1);
    assertThat(clock.millisToNextTimer()).isEqualTo(10); // min(10 ms * 2^0, 100 ms)
    clock.advanceMillis(9);
    assertThat(response.isComplete()).isFalse();
    clock.advanceMillis(1);
    assertThat(response.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(sample(metrics(gateway),
        "request_retry_total{model=\"\",status_code=\"network_error\"}")).isEqualTo(1);
  }

  @Test
  void clientHeadersReachTheEngineSoAnEngineWithAnApiKeyWorksBehindTheGateway()
      throws Exception {
    try (EngineSimulator guarded = Fixtures.engine(EngineSettings.builder().speedup(20)
        .apiKey("sk-engine"))) {
      int gateway = Fixtures.roundRobin(vertx, List.of(Fixtures.instance(guarded)),
          Fixtures.config().build(), null).actualPort();
      JsonObject body = new JsonObject().put("prompt", "hello").put("max_tokens", 2);
      HttpResponse<Buffer> allowed = web.post(gateway, "127.0.0.1", "/v1/completions")
          .putHeader("Authorization", "Bearer sk-engine").sendJsonObject(body)
          .await(10, TimeUnit.SECONDS);
      assertThat(allowed.statusCode()).as(allowed.bodyAsString()).isEqualTo(200);
      HttpResponse<Buffer> refused = complete(gateway, body).await(10, TimeUnit.SECONDS);
      assertThat(refused.statusCode()).isEqualTo(401); // the engine's answer, relayed
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("type"))
          .isEqualTo("AuthenticationError");
    }
  }

  @Test
  void aRequestThatProducedTokensCountsThemWhateverItsStatus() throws Exception {
    try (EngineSimulator slow = Fixtures.engine(1)) {
      int gateway = Fixtures.roundRobin(vertx, List.of(Fixtures.instance(slow)),
          Fixtures.config().build(), null).actualPort();
      HttpClient client = vertx.createHttpClient();
      CompletableFuture<Void> tokens = new CompletableFuture<>();
      StringBuilder seen = new StringBuilder();
      client.request(HttpMethod.POST, gateway, "127.0.0.1", "/v1/completions")
          .compose(req -> req.putHeader("Content-Type", "application/json")
              .send("{\"model\":\"m\",\"prompt\":\"leave after three\",\"max_tokens\":2000,"
                  + "\"ignore_eos\":true,\"stream\":true}"))
          .onSuccess(response -> response.handler(b -> {
            seen.append(b);
            if (seen.toString().split("\n\n").length >= 3) {
              tokens.complete(null);
            }
          }));
      tokens.get(10, TimeUnit.SECONDS);
      client.close().await(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        String m = metrics(gateway);
        assertThat(sample(m, "request_total{model=\"m\",status_code=\"499\"}")).isEqualTo(1);
        assertThat(sample(m, "request_output_tokens_total{model=\"m\"}")).isGreaterThan(2);
        assertThat(sample(m, "request_input_tokens_total{model=\"m\"}")).isEqualTo(3);
        assertThat(sample(m, "request_output_tokens_count{model=\"m\"}")).isEqualTo(1);
      });
    }
  }

  /**
   * A scheduler that records what it is asked: the gateway's wire output is the subject here
   * (the real scheduler answers it in the local cluster's tests).
   */
  static HttpServer recordingScheduler(List<JsonObject> asked, LlmInstance answer)
      throws Exception {
    return vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals(Keepalive.PATH)) {
        request.toWebSocket().onSuccess(ws -> ws.textMessageHandler(
            hello -> ws.writeTextMessage(Keepalive.ACCEPTED)));
        return;
      }
      request.body().onSuccess(body -> {
        if (request.path().equals("/schedule")) {
          asked.add(body.toJsonObject());
          SchedulingRequest scheduled = SchedulingJson.decode(body);
          request.response().end(SchedulingJson.encode(scheduled.withResult(List.of(answer))));
        } else {
          request.response().end();
        }
      });
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @Test
  void aScheduleDurationEndsWithItsDecisionNotWithTheNextRequestsStart() throws Exception {
    ManualClock clock = TestClocks.onEventLoops(0);
    RoundRobinBalancer roundRobin = new RoundRobinBalancer(
        InstanceDirectory.of(List.of(Fixtures.instance(engine))));
    AtomicInteger leases = new AtomicInteger();
    // The first decision comes 5 ms (of the manual clock) after it is asked for; starting the
    // second request's scheduling, which the first one's answer sets off, takes 50 ms.
    Balancer balancer = request -> {
      if (leases.incrementAndGet() == 1) {
        Promise<Void> decided = Promise.promise();
        clock.setTimer(5, () -> decided.complete());
        return decided.future().compose(ignored -> roundRobin.lease(request));
      }
      clock.advanceMillis(50);
      return roundRobin.lease(request);
    };
    int gateway = Fixtures.start(vertx, Fixtures.config().queueWorkers(1).build(), balancer,
        roundRobin, clock).actualPort();
    JsonObject body = new JsonObject().put("prompt", "one at a time").put("max_tokens", 2);
    Future<HttpResponse<Buffer>> first = complete(gateway, body);
    await().atMost(Duration.ofSeconds(10)).until(() -> leases.get() == 1);
    Future<HttpResponse<Buffer>> second = complete(gateway, body);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> sample(metrics(gateway), "gateway_pending_requests") == 2);
    clock.advanceMillis(5);
    assertThat(first.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    String metrics = metrics(gateway);
    assertThat(sample(metrics, "request_schedule_duration_milliseconds_count{model=\"\"}"))
        .isEqualTo(2);
    assertThat(sample(metrics, "request_schedule_duration_milliseconds_sum{model=\"\"}"))
        .isEqualTo(5 + 50); // not 5 + 50 + 50: the first decision's time is taken first
  }

  @Test
  void theQueueDrainsAsTheSchedulerAnswersWhileTheRequestsLoopIsBusy() throws Exception {
    Vertx schedulerSide = Vertx.vertx(); // not on the gateway's loops, which the test holds
    try {
      List<JsonObject> asked = new CopyOnWriteArrayList<>();
      Promise<Void> answerFirst = Promise.promise();
      LlmInstance answer = Fixtures.instance(engine);
      HttpServer scheduler = schedulerSide.createHttpServer().requestHandler(request -> {
        if (request.path().equals(Keepalive.PATH)) {
          request.toWebSocket().onSuccess(ws -> ws.textMessageHandler(
              hello -> ws.writeTextMessage(Keepalive.ACCEPTED)));
          return;
        }
        request.body().onSuccess(body -> {
          if (!request.path().equals("/schedule")) {
            request.response().end();
            return;
          }
          asked.add(body.toJsonObject());
          Buffer decided = SchedulingJson.encode(
              SchedulingJson.decode(body).withResult(List.of(answer)));
          Future<Void> when = asked.size() == 1 ? answerFirst.future() : Future.succeededFuture();
          when.onComplete(ignored -> request.response().end(decided));
        });
      }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      RoundRobinBalancer roundRobin = new RoundRobinBalancer(InstanceDirectory.of(List.of()));
      RemoteSchedulerBalancer balancer = new RemoteSchedulerBalancer(vertx, VertxClock.of(vertx),
          SchedulerSettings.builder(List.of(new SchedulerEndpoint("127.0.0.1",
              scheduler.actualPort()))).build(), roundRobin);
      await().atMost(Duration.ofSeconds(10)).until(balancer::ready);
      GatewayServer server = Fixtures.start(vertx, Fixtures.config().queueWorkers(1).build(),
          balancer, roundRobin, null);
      int gateway = server.actualPort();
      JsonObject body = new JsonObject().put("prompt", "queued").put("max_tokens", 2);
      Future<HttpResponse<Buffer>> first = complete(gateway, body);
      Future<HttpResponse<Buffer>> second = complete(gateway, body);
      await().atMost(Duration.ofSeconds(10)).until(() -> asked.size() == 1
          && sample(metrics(gateway), "gateway_pending_requests") == 2);
      // The requests' loop is held busy (relaying a burst, say) while the first decision comes.
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      server.relayingContext().runOnContext(ignored -> {
        held.countDown();
        try {
          release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
      try {
        answerFirst.complete();
        // The queue's worker takes the second request as the answer comes, not when that
        // loop is free again.
        await().atMost(Duration.ofSeconds(3)).until(() -> asked.size() == 2);
      } finally {
        release.countDown();
      }
      assertThat(first.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(second.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      balancer.close();
    } finally {
      schedulerSide.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void thePromptsTokenIdsGoToTheSchedulerUnlessTurnedOff() throws Exception {
    List<JsonObject> asked = new CopyOnWriteArrayList<>();
    HttpServer scheduler = recordingScheduler(asked, Fixtures.instance(engine));
    for (boolean forward : new boolean[] {true, false}) {
      RoundRobinBalancer roundRobin = new RoundRobinBalancer(InstanceDirectory.of(List.of()));
      RemoteSchedulerBalancer balancer = new RemoteSchedulerBalancer(vertx, VertxClock.of(vertx),
          SchedulerSettings.builder(List.of(new SchedulerEndpoint("127.0.0.1",
              scheduler.actualPort()))).forwardTokens(forward).build(), roundRobin);
      await().atMost(Duration.ofSeconds(10)).until(balancer::ready);
      int gateway = Fixtures.start(vertx, Fixtures.config().build(), balancer, roundRobin, null)
          .actualPort();
      asked.clear();
      HttpResponse<Buffer> response = complete(gateway, new JsonObject()
          .put("prompt", new io.vertx.core.json.JsonArray(List.of(11, 12, 13)))
          .put("max_tokens", 2)).await(10, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(asked).hasSize(1);
      JsonObject body = asked.get(0);
      assertThat(body.getInteger("prompt_num_tokens")).isEqualTo(3);
      assertThat(body.containsKey("prompt_token_ids")).isTrue();
      if (forward) {
        assertThat(body.getJsonArray("prompt_token_ids").getList()).containsExactly(11, 12, 13);
      } else {
        assertThat(body.getValue("prompt_token_ids")).isNull();
      }
      balancer.close();
    }
  }
}
