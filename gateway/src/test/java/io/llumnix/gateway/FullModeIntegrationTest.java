package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.cms.RedisCmsStore;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.discovery.RedisConnection;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.StepProfile;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.gateway.balance.InstanceDirectory;
import io.llumnix.gateway.balance.RemoteSchedulerBalancer;
import io.llumnix.gateway.balance.RoundRobinBalancer;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.FullModeSchedulingService;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.cms.FullModePolicies;
import io.llumnix.testing.RedisServer;
import io.llumnix.tokenizer.TokenizerSource;
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

  static RedisServer redis;
  static Vertx vertx;
  static WebClient web;
  static final List<EngineSimulator> engines = new ArrayList<>();
  static FullModeSchedulingService service;
  static int scheduler;
  static int gateway;
  static final long STALENESS_SECONDS = 2;

  static CmsTarget cms() {
    RedisConnection connection = RedisConnection.of("127.0.0.1", redis.port());
    // The reference's 40 ms status push; a stall reported after 500 ms without a step; a
    // heartbeat every 200 ms.
    return new CmsTarget(v -> RedisCmsStore.create(v, connection, 1000),
        new Llumlet.Settings(100, 40, 500, 200, 500, 10_000), "127.0.0.1");
  }

  static EngineSimulator engine(int port) {
    CoreConfig core = new CoreConfig(8192, 256, 16, 8192, 4096, true,
        StepProfile.LLAMA3_8B_H100, 0, 1);
    return EngineSimulator.start(new EngineSettings("m", "", core, 5, 0, "0.11.0", "", true,
        TokenizerSource.BUILTIN, 20, 1000, KvTransferSettings.DEFAULT), "127.0.0.1", port, 1,
        20000, cms());
  }

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    for (int i = 0; i < 4; i++) {
      engines.add(engine(0));
    }
    ComponentMetrics metrics = ComponentMetrics.create(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    SchedulerServer server = new SchedulerServer("127.0.0.1", 0, 500, metrics, () -> {
      service = new FullModeSchedulingService(
          FullModePolicies.loadBalance(FullModePolicies.defaults(), STALENESS_SECONDS,
              FullModePolicies.FailoverDomain.INSTANCE, System::currentTimeMillis),
          new CmsView(metrics, true, 10, System::currentTimeMillis),
          RedisCmsStore.create(vertx, RedisConnection.of("127.0.0.1", redis.port()), 1000),
          new FullModeSchedulingService.Intervals(50, 200), metrics);
      return service;
    });
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    scheduler = server.actualPort();
    RoundRobinBalancer roundRobin = new RoundRobinBalancer(InstanceDirectory.of(
        GatewayIntegrationTest.instances(engines)));
    RemoteSchedulerBalancer balancer = new RemoteSchedulerBalancer(vertx,
        new RemoteSchedulerBalancer.Settings(List.of("127.0.0.1:" + scheduler), "", 2000, 5000,
            200, 0, 200, 3000, true), roundRobin);
    GatewayServer gatewayServer = new GatewayServer(new GatewaySettings("127.0.0.1", 0, 4096,
        512, 5, 200, 2, 1 << 20), TokenizerSource.BUILTIN.load(), balancer, roundRobin,
        ComponentMetrics.create(1000));
    vertx.deployVerticle(gatewayServer).await(10, TimeUnit.SECONDS);
    gateway = gatewayServer.actualPort();
    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.ready()
        && schedulable().size() == 4);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    for (EngineSimulator engine : engines) {
      engine.close();
    }
    redis.close();
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
    EngineSimulator stalled = engines.get(1);
    String stalledId = "127.0.0.1:" + stalled.ports().get(0);
    // A stall with work queued: the llumlet reports it unschedulable.
    Future<HttpResponse<Buffer>> stuck = web.post(stalled.ports().get(0), "127.0.0.1",
        "/v1/completions").sendJsonObject(new JsonObject().put("prompt", "stuck")
        .put("max_tokens", 64).put("ignore_eos", true));
    stalled.instances().get(0).stall(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> !schedulable().contains(stalledId));
    stalled.instances().get(0).stall(false);
    assertThat(stuck.await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> schedulable().contains(stalledId));

    // A llumlet that stops writing: excluded once its status is older than the staleness.
    EngineSimulator halted = engines.get(2);
    String haltedId = "127.0.0.1:" + halted.ports().get(0);
    int port = halted.ports().get(0);
    halted.instances().get(0).haltLlumlet();
    long haltedAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(STALENESS_SECONDS + 5))
        .until(() -> !schedulable().contains(haltedId));
    assertThat(Duration.ofNanos(System.nanoTime() - haltedAt))
        .isLessThan(Duration.ofSeconds(STALENESS_SECONDS + 3));
    assertThat(schedulable()).hasSize(3);

    // The engine restarts under the same id (its old records still in the CMS): scheduled again.
    halted.stopInstance(0);
    EngineSimulator restarted = engine(port);
    engines.set(2, restarted);
    halted.close();
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
