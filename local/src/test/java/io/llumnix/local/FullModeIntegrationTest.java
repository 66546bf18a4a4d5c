package io.llumnix.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.cms.RedisCmsStore;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.runtime.process.ChildProcess;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisProcess;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.policy.PolicyConfig;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Full mode end to end: a real redis-server as the CMS, four simulated engines whose llumlets
 * publish to it, a full-mode scheduler reading it, and a gateway in front.
 */
class FullModeIntegrationTest {

  static final long STALENESS_SECONDS = 2;
  /** The reference's 40 ms status push; a stall reported after 500 ms; a 200 ms heartbeat. */
  static final Llumlet.Settings LLUMLET = new Llumlet.Settings(100, 40, 500, 200, 500, 10_000);
  static LocalCluster cluster;
  static RedisProcess redis;
  static Vertx vertx;
  static WebClient web;
  static int scheduler;
  static int gateway;
  /** Engines started by a test (a restart), closed at the end. */
  static final List<EngineSimulator> restarted = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.builder().instances(4).engineBasePort(0)
        .engine(Clusters.engine(5).build()).cms(LocalCluster.Cms.REDIS).llumlet(LLUMLET)
        .tokenizer(io.llumnix.tokenizer.TokenizerSource.BUILTIN)
        .gateway(Clusters.gateway().retryMaxCount(2).build())
        .scheduler(SchedulerConfig.builder().host("127.0.0.1").port(0)
            .keepaliveIntervalMillis(500).cmsStatusIntervalMillis(50)
            .cmsMetadataIntervalMillis(200).policyConfig(PolicyConfig.builder()
                .stalenessSeconds(STALENESS_SECONDS).failoverDomain("instance").build())
            .build())
        .schedulerLink(link -> link.waitSchedulingRetryMillis(200).reconnectMillis(200))
        .start();
    redis = cluster.redis();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    scheduler = cluster.schedulerPort();
    gateway = cluster.gatewayPort();
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.gatewayReady()
        && schedulable().size() == 4);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    for (EngineSimulator engine : restarted) {
      engine.close();
    }
    cluster.close();
  }

  /** A replacement engine on {@code port}, its llumlet publishing to the cluster's CMS. */
  static EngineSimulator engine(int port) {
    RedisConnection connection = redis.connection();
    // Its KV-transfer port is any free one: port + a fixed offset may pass 65535.
    int kvTransferPortOffset = ChildProcess.freePort() - port;
    EngineSimulator engine = EngineSimulator.start(Clusters.engine(5).build(), "127.0.0.1", port,
        1, kvTransferPortOffset, new CmsTarget(v -> RedisCmsStore.create(v, connection, 1000), LLUMLET,
            "127.0.0.1"));
    restarted.add(engine);
    return engine;
  }

  static String metrics(int port) throws Exception {
    return web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
  }

  /**
   * Ids of the instances a neutral /schedule can pick from: eight dispatches in a row (the
   * local account spreads them over every candidate), then their release.
   */
  static List<String> schedulable() throws Exception {
    List<String> ids = new ArrayList<>();
    List<JsonObject> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      HttpResponse<Buffer> response = web.post(scheduler, "127.0.0.1", "/schedule")
          .sendJsonObject(new JsonObject().put("id", "probe-" + i)
              .put("scheduling_mode", "neutral").put("scheduling_stage", "prefill")
              .put("prompt_num_tokens", 100))
          .await(10, TimeUnit.SECONDS);
      if (response.statusCode() != 200) {
        continue;
      }
      answers.add(response.bodyAsJsonObject());
      String id = response.bodyAsJsonObject().getJsonArray("scheduling_result")
          .getJsonObject(0).getString("id");
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    for (JsonObject answer : answers) {
      web.post(scheduler, "127.0.0.1", "/release").sendJsonObject(answer)
          .await(10, TimeUnit.SECONDS);
    }
    return ids;
  }

  @Test
  void aBurstIsSpreadEvenlyAndTheInflightCountersReturnToZero() throws Exception {
    // Idle instances first: nothing running, nothing in flight from other tests.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String text = metrics(scheduler);
      assertThat(sum(text, "instance_cms_running_requests{")
          + sum(text, "instance_cms_waiting_requests{")
          + sum(text, "instance_cms_inflight_dispatch_requests{")).isZero();
    });
    // 64 requests reach the scheduler at once, before any engine status can show them: only
    // the local account tells the instances apart.
    List<Future<HttpResponse<Buffer>>> decisions = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      decisions.add(web.post(scheduler, "127.0.0.1", "/schedule").sendJsonObject(new JsonObject()
          .put("id", "burst-" + i).put("scheduling_mode", "neutral")
          .put("scheduling_stage", "prefill").put("prompt_num_tokens", 300)));
    }
    java.util.Map<String, Integer> perInstance = new java.util.TreeMap<>();
    List<JsonObject> chosen = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      HttpResponse<Buffer> decision = decisions.get(i).await(10, TimeUnit.SECONDS);
      assertThat(decision.statusCode()).isEqualTo(200);
      JsonObject instance = decision.bodyAsJsonObject().getJsonArray("scheduling_result")
          .getJsonObject(0);
      chosen.add(instance);
      perInstance.merge(instance.getString("id"), 1, Integer::sum);
    }
    // Then each goes to its engine under its id, as the gateway sends it.
    List<Future<HttpResponse<Buffer>>> served = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      served.add(web.post(chosen.get(i).getJsonObject("endpoint").getInteger("port"),
          "127.0.0.1", "/v1/completions").putHeader("X-Request-Id", "burst-" + i)
          .sendJsonObject(new JsonObject().put("prompt", "burst " + i).put("max_tokens", 32)
              .put("ignore_eos", true).put("request_id", "burst-" + i)));
    }
    assertThat(perInstance).hasSize(4);
    int max = perInstance.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    int min = perInstance.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    assertThat(max - min).as("requests per instance %s", perInstance).isLessThanOrEqualTo(2);
    for (Future<HttpResponse<Buffer>> response : served) {
      assertThat(response.await(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    // Each status that shows a request settles its account entry: nothing stays in flight.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(sum(metrics(scheduler), "instance_cms_inflight_dispatch_requests{"))
            .isZero());
  }

  @Test
  void streamingThroughTheGatewayInFullModeSucceedsAndLeavesNothingInFlight() throws Exception {
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      burst.add(web.post(gateway, "127.0.0.1", "/v1/completions")
          .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "via gateway " + i)
              .put("max_tokens", 16).put("stream", true)));
    }
    for (Future<HttpResponse<Buffer>> response : burst) {
      HttpResponse<Buffer> done = response.await(60, TimeUnit.SECONDS);
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(done.bodyAsString()).endsWith("data: [DONE]\n\n");
    }
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(sum(metrics(scheduler), "instance_cms_inflight_dispatch_requests{"))
            .isZero());
  }

  static double sum(String exposition, String prefix) {
    return exposition.lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aStalledEngineOrAHaltedLlumletIsExcludedAndARestartedEngineReturns() throws Exception {
    EngineSimulator engines = cluster.engines();
    int stalledPort = engines.ports().get(1);
    String stalledId = "127.0.0.1:" + stalledPort;
    // A stall with work queued: the llumlet reports it unschedulable.
    Future<HttpResponse<Buffer>> stuck = web.post(stalledPort, "127.0.0.1",
        "/v1/completions").sendJsonObject(new JsonObject().put("prompt", "stuck")
        .put("max_tokens", 64).put("ignore_eos", true));
    engines.instances().get(1).stall(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> !schedulable().contains(stalledId));
    engines.instances().get(1).stall(false);
    assertThat(stuck.await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> schedulable().contains(stalledId));

    // A llumlet that stops writing: excluded once its status is older than the staleness.
    int port = engines.ports().get(2);
    String haltedId = "127.0.0.1:" + port;
    engines.instances().get(2).haltLlumlet();
    long haltedAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(STALENESS_SECONDS + 5))
        .until(() -> !schedulable().contains(haltedId));
    assertThat(Duration.ofNanos(System.nanoTime() - haltedAt))
        .isLessThan(Duration.ofSeconds(STALENESS_SECONDS + 3));
    assertThat(schedulable()).hasSize(3);

    // The engine restarts under the same id (its old records still in the CMS): scheduled again.
    engines.stopInstance(2);
    engine(port);
    await().atMost(Duration.ofSeconds(10)).until(() -> schedulable().contains(haltedId));
    HttpResponse<Buffer> served = web.post(gateway, "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "after restart")
            .put("max_tokens", 4)).await(30, TimeUnit.SECONDS);
    assertThat(served.statusCode()).isEqualTo(200);
  }

  @Test
  void whileTheCmsIsDownScheduleSaysSoAndTheGatewayStillServes() throws Exception {
    redis.stop();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> web.post(scheduler, "127.0.0.1",
          "/schedule").sendJsonObject(new JsonObject().put("id", "x")
              .put("scheduling_mode", "neutral").put("scheduling_stage", "prefill"))
          .await(10, TimeUnit.SECONDS).bodyAsString().equals("cms not available"));
      HttpResponse<Buffer> served = web.post(gateway, "127.0.0.1", "/v1/completions")
          .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "round robin")
              .put("max_tokens", 4)).await(30, TimeUnit.SECONDS);
      assertThat(served.statusCode()).isEqualTo(200);
    } finally {
      redis.restart();
    }
    // Redis came back empty: llumlets write again, and scheduling resumes by itself.
    await().atMost(Duration.ofSeconds(15)).until(() -> schedulable().size() >= 3);
  }
}
