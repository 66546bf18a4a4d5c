package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.Cooldown;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.gateway.health.EngineHealthSettings;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.RoundRobinBalancer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Engines that stop answering — frozen, as a stopped process is: connections open, nothing
 * said, {@code /health} unanswered — against the gateway's engine watch and cooldown, next to a
 * slow engine that answers its health check and must be waited for. The idle timeout is left
 * at its 5 minutes: every request here ends long before it would.
 */
class EngineHealthIntegrationTest {

  /** Probe after 400 ms of silence, 300 ms to answer, a minute of cooldown. */
  static final EngineHealthSettings WATCHFUL = new EngineHealthSettings(300, 400, 300, 60_000);

  Vertx vertx;
  WebClient web;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A fake engine: {@code completions} handles its completions, {@code /health} as given. */
  HttpServer engine(Consumer<HttpServerRequest> completions, boolean healthy,
      AtomicInteger asked) throws Exception {
    return vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/health")) {
        if (healthy) {
          request.response().end();
        } // else: never answered
        return;
      }
      asked.incrementAndGet();
      completions.accept(request);
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  static String chunk(String text, String finish) {
    return "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0,\"text\":\"" + text + "\",\"logprobs\":null,"
        + "\"finish_reason\":" + finish + ",\"stop_reason\":null}]}\n\n";
  }

  GatewayServer gateway(List<LlmInstance> instances) throws Exception {
    GatewayConfig config = Fixtures.config().retryMaxCount(1).engineHealth(WATCHFUL).build();
    RoundRobinBalancer roundRobin = new RoundRobinBalancer(InstanceDirectory.of(instances),
        new Cooldown(WATCHFUL.cooldownMillis(), System::nanoTime));
    return Fixtures.start(vertx, config, roundRobin, roundRobin, null);
  }

  HttpResponse<Buffer> complete(GatewayServer gateway, boolean stream) throws Exception {
    return web.post(gateway.actualPort(), "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "hello")
            .put("max_tokens", 4).put("stream", stream))
        .await(30, TimeUnit.SECONDS);
  }

  @Test
  void requestsOnAFrozenEngineAreRetriedElsewhereAndTheEngineIsPassedOverAfterwards()
      throws Exception {
    AtomicInteger frozenAsked = new AtomicInteger();
    HttpServer frozen = engine(request -> { }, false, frozenAsked);
    try (EngineSimulator healthy = Fixtures.engine(100)) {
      GatewayServer gateway = gateway(List.of(
          LlmInstance.ofEndpoint("127.0.0.1", frozen.actualPort()),
          Fixtures.instance(healthy)));
      for (int i = 0; i < 6; i++) {
        HttpResponse<Buffer> answer = complete(gateway, i % 2 == 0);
        assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
        assertThat(answer.bodyAsString()).doesNotContain("\"error\"");
      }
      // The first request that reached it failed over; the cooldown kept the rest away.
      assertThat(frozenAsked).hasValue(1);
      assertThat(Fixtures.metric(web, gateway.actualPort(),
          "request_retry_total{model=\"m\",status_code=\"network_error\"}"))
          .isEqualTo(1.0);
    }
  }

  @Test
  void aStreamWhoseEngineFreezesMidwayEndsWithAnErrorEventNotAfterTheIdleTimeout()
      throws Exception {
    AtomicInteger asked = new AtomicInteger();
    HttpServer freezing = engine(request -> request.body().onSuccess(body -> request.response()
        .setChunked(true).putHeader("Content-Type", "text/event-stream")
        .write(chunk("one", "null") + chunk(" two", "null"))), false, asked);
    GatewayServer gateway = gateway(List.of(
        LlmInstance.ofEndpoint("127.0.0.1", freezing.actualPort())));
    HttpResponse<Buffer> answer = complete(gateway, true);
    assertThat(answer.statusCode()).isEqualTo(200);
    String body = answer.bodyAsString();
    assertThat(body).contains("one").contains(" two")
        .contains("did not answer its health check").endsWith("data: [DONE]\n\n");
  }

  @Test
  void aSlowEngineThatAnswersItsHealthCheckIsWaitedFor() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    HttpServer slow = engine(request -> request.body().onSuccess(body -> vertx.setTimer(1500,
        t -> request.response().putHeader("Content-Type", "text/event-stream")
            .end(chunk("late", "null") + chunk(" answer", "\"length\"") + "data: [DONE]\n\n"))),
        true, asked);
    GatewayServer gateway = gateway(List.of(
        LlmInstance.ofEndpoint("127.0.0.1", slow.actualPort())));
    HttpResponse<Buffer> answer = complete(gateway, false);
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0)
        .getString("text")).isEqualTo("late answer");
    assertThat(asked).hasValue(1);
  }
}
