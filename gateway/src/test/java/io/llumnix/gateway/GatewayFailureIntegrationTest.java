package io.llumnix.gateway;

import static io.llumnix.gateway.GatewayIntegrationTest.engine;
import static io.llumnix.testing.Exposition.events;
import static io.llumnix.gateway.GatewayIntegrationTest.instances;
import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.SchedulingService;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyRegistry;
import io.llumnix.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway when parts fail: an engine dies mid-run, the scheduler goes away and returns. */
class GatewayFailureIntegrationTest {

  Vertx vertx;
  WebClient web;
  final List<EngineSimulator> engines = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    for (EngineSimulator engine : engines) {
      try {
        engine.close();
      } catch (IllegalStateException ignored) {
        // closed by the test already
      }
    }
  }

  String metrics(int port) throws Exception {
    return web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
  }

  Future<HttpResponse<Buffer>> stream(int gateway, int maxTokens, int i) {
    return web.post(gateway, "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "request " + i)
            .put("max_tokens", maxTokens).put("ignore_eos", true).put("stream", true));
  }

  /** A lite-mode scheduler on {@code port}; returns its deployment id. */
  String scheduler(List<LlmInstance> instances, int port) throws Exception {
    ComponentMetrics metrics = ComponentMetrics.create(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    var policy = PolicyRegistry.builtins().create("load-balance", PolicyConfig.liteDefaults());
    return vertx.deployVerticle(new SchedulerServer("127.0.0.1", port, 500, metrics, () -> {
      LocalRealtimeState lrs = new LocalRealtimeState(metrics);
      instances.forEach(lrs::upsertInstance);
      return new SchedulingService(policy, lrs, metrics);
    })).await(10, TimeUnit.SECONDS);
  }

  @Test
  void anEngineKilledMidRunRetriesUnstartedRequestsAndEndsTheOthersCleanly() throws Exception {
    for (int i = 0; i < 3; i++) {
      engines.add(engine(5));
    }
    int gateway = GatewayIntegrationTest.startGateway(vertx, instances(engines), List.of(), 2)
        .actualPort();
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      inFlight.add(stream(gateway, 400, i));
    }
    // Every engine is streaming (4 requests each) when engine 0 dies.
    await().atMost(Duration.ofSeconds(10)).until(() -> sample(metrics(engines.get(0).ports()
        .get(0)), "vllm:num_requests_running{engine=\"0\",model_name=\"m\"}") > 0);
    engines.get(0).close();

    List<Future<HttpResponse<Buffer>>> after = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      after.add(stream(gateway, 5, 100 + i));
    }
    Future.all(after).await(60, TimeUnit.SECONDS);
    for (var future : after) {
      assertThat(future.result().statusCode()).isEqualTo(200);
      assertThat(events(future.result().bodyAsString())).endsWith("[DONE]").hasSize(5 + 1);
    }
    assertThat(sample(metrics(gateway),
        "request_retry_total{model=\"m\",status_code=\"network_error\"}")).isPositive();

    Future.join(inFlight).await(60, TimeUnit.SECONDS);
    int broken = 0;
    for (var future : inFlight) {
      HttpResponse<Buffer> response = future.result();
      assertThat(response.statusCode()).isEqualTo(200);
      List<String> events = events(response.bodyAsString());
      assertThat(events).endsWith("[DONE]");
      if (events.get(events.size() - 2).contains("\"error\"")) {
        broken++;
      } else {
        assertThat(events).hasSize(400 + 1);
      }
    }
    // Engine 0 had 4 of the 12; those it had started streaming end with an error event, the
    // rest were retried on the other engines and completed.
    assertThat(broken).isBetween(1, 4);
  }

  @Test
  void withTheSchedulerDownRequestsGoRoundRobinAndSchedulingResumesWhenItReturns()
      throws Exception {
    for (int i = 0; i < 2; i++) {
      engines.add(engine(20));
    }
    int port = RedisServer.freePort();
    String deployment = scheduler(instances(engines), port);
    int gateway = GatewayIntegrationTest.startGateway(vertx, instances(engines),
        List.of("127.0.0.1:" + port), 1).actualPort();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      stream(gateway, 1, 0).await(10, TimeUnit.SECONDS);
      return sample(metrics(port), "scheduler_scheduling_total") > 0;
    });

    vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    for (int i = 0; i < 6; i++) {
      HttpResponse<Buffer> response = stream(gateway, 3, i).await(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(events(response.bodyAsString())).hasSize(3 + 1);
    }

    scheduler(instances(engines), port);
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      stream(gateway, 1, 0).await(10, TimeUnit.SECONDS);
      return sample(metrics(port), "scheduler_scheduling_total") > 0;
    });
  }
}
