package io.llumnix.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.discovery.DiscoverySidecar;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.discovery.RedisDiscovery;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.runtime.redis.RedisProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler fed by Redis discovery: it keeps serving through a Redis outage. */
class SchedulerRedisDiscoveryIntegrationTest {

  Vertx vertx;
  RedisProcess redis;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    redis = RedisProcess.start();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    redis.close();
  }

  int schedule(WebClient web, int port, String id) throws Exception {
    return web.post(port, "127.0.0.1", "/schedule")
        .sendJsonObject(new JsonObject().put("id", id).put("scheduling_mode", "neutral")
            .put("scheduling_stage", "prefill"))
        .await(10, TimeUnit.SECONDS).statusCode();
  }

  @Test
  void servesFromTheLastViewWhileRedisIsDown() throws Exception {
    int enginePort = io.llumnix.runtime.process.ChildProcess.freePort();
    vertx.createHttpServer().requestHandler(r -> r.response().end())
        .listen(enginePort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    RedisConnection connection = RedisConnection.of("127.0.0.1", redis.port());
    DiscoverySidecar.start(vertx, connection, new DiscoverySidecar.Settings(InferType.NEUTRAL,
        "engine-0", "127.0.0.1", enginePort, "127.0.0.1", enginePort + 20000, 1, "m", 200));

    ComponentMetrics metrics = ComponentMetrics.create(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    SchedulerServer server = new SchedulerServer(SchedulerConfig.builder().host("127.0.0.1")
        .port(0).fullMode(false).policyConfig(PolicyConfig.liteDefaults()).build(), metrics,
        null, null);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    RedisDiscovery discovery = RedisDiscovery.start(vertx, connection,
        new RedisDiscovery.Settings(100, 60_000, null), server);
    WebClient web = WebClient.create(vertx);
    int port = server.actualPort();

    await().atMost(Duration.ofSeconds(5)).until(() -> schedule(web, port, "before") == 200);

    redis.stop();
    await().atMost(Duration.ofSeconds(10)).until(discovery::stale);
    assertThat(schedule(web, port, "during")).isEqualTo(200);

    redis.restart();
    await().atMost(Duration.ofSeconds(10)).until(() -> !discovery.stale());
    assertThat(schedule(web, port, "after")).isEqualTo(200);
    assertThat(web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString()).contains("scheduler_scheduling_total 3.0");
  }
}
