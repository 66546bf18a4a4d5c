package io.llumnix.scheduler.rescheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.testing.Exposition;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both rescheduling modes end to end: a CMS in memory holding an overloaded and an idle
 * decode instance, the overloaded one's llumlet a real gRPC server; the scheduler (colocated)
 * or the standalone rescheduler reads the CMS on real timers and sends the Migrate.
 */
class ReschedulingIntegrationTest {

  static Vertx vertx;
  static WebClient web;

  final InMemoryCmsStore store = new InMemoryCmsStore();
  final ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(1000);
  FakeLlumlet llumlet;
  String deployment;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  ReschedulingIntegrationTest() throws Exception {
    metrics.registerAll(LlumnixMetrics.scheduler());
    llumlet = new FakeLlumlet();
    long now = System.currentTimeMillis();
    publish(InstanceMetadata.newBuilder().setInstanceId("d0").setInstanceType("decode")
        .setIp("127.0.0.1").setApiServerPort(8001).setLlumletPort(llumlet.port())
        .setIpKvs("10.1.0.1").setKvtPort(28001).build(), 12_000, now);
    publish(InstanceMetadata.newBuilder().setInstanceId("d1").setInstanceType("decode")
        .setIp("127.0.0.1").setApiServerPort(8002).setLlumletPort(1)
        .setIpKvs("10.1.0.2").setKvtPort(28002).build(), 1_000, now);
    publish(InstanceMetadata.newBuilder().setInstanceId("p0").setInstanceType("prefill")
        .setIp("127.0.0.1").setApiServerPort(8003).setLlumletPort(1).build(), 0, now);
  }

  void publish(InstanceMetadata metadata, int usedTokens, long now) {
    store.putMetadata(metadata, 100);
    store.putStatus(InstanceStatus.newBuilder().setInstanceId(metadata.getInstanceId())
        .setSchedulable(true).setTimestampMs(now).setUpdateId(1).setNumTotalGpuTokens(10_000)
        .setNumUsedGpuTokens(usedTokens).build(), 100);
  }

  @AfterEach
  void stop() throws Exception {
    if (deployment != null) {
      vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    }
    llumlet.close();
  }

  SchedulerConfig config(ReschedulingConfig.Mode mode) {
    return SchedulerConfig.builder().host("127.0.0.1").port(0).cmsStatusIntervalMillis(20)
        .cmsMetadataIntervalMillis(200).rescheduling(ReschedulingConfig.builder().mode(mode)
            .intervalMillis(100).grpcTimeoutSeconds(2).build()).build();
  }

  HttpResponse<Buffer> get(int port, String path) throws Exception {
    return web.get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  void awaitTheMigrate(int port) throws Exception {
    await().atMost(Duration.ofSeconds(20)).until(() -> !llumlet.received().isEmpty());
    FakeLlumlet.Received first = llumlet.received().get(0);
    assertThat(first.request().getSrcEngineId()).isEqualTo("d0");
    assertThat(first.request().getDstEngineId()).isEqualTo("d1");
    assertThat(first.request().getDstEngineIp()).isEqualTo("10.1.0.2");
    assertThat(first.request().getDstEnginePort()).isEqualTo(28002);
    assertThat(first.request().getTriggerPolicy()).isEqualTo("decode_load");
    assertThat(first.deadlineMillis()).isBetween(1L, 2_000L);
    await().atMost(Duration.ofSeconds(10)).until(() -> Exposition.sample(
        get(port, "/metrics").bodyAsString(), "scheduler_rescheduling_total{"
            + "rescheduling_req_select_order=\"SR\",rescheduling_req_select_rule=\"TOKEN\"}")
        >= 1);
  }

  @Test
  void standaloneReschedulesFromTheCmsAndServesOnlyMetricsAndHealth() throws Exception {
    ReschedulerServer server = new ReschedulerServer(
        config(ReschedulingConfig.Mode.STANDALONE), metrics, v -> store, null);
    deployment = vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    int port = server.actualPort();
    awaitTheMigrate(port);
    String exposition = get(port, "/metrics").bodyAsString();
    assertThat(Exposition.sample(exposition, "scheduler_rescheduling_failed_total")).isZero();
    assertThat(exposition).contains("scheduler_cms_refresh_status_duration_milliseconds");
    HttpResponse<Buffer> health = get(port, "/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.bodyAsString()).isEqualTo("ok");
    HttpResponse<Buffer> schedule = web.post(port, "127.0.0.1", "/schedule")
        .sendBuffer(Buffer.buffer("{}")).await(10, TimeUnit.SECONDS);
    assertThat(schedule.statusCode()).isEqualTo(404);
  }

  @Test
  void colocatedReschedulesBesideTheSchedulingApi() throws Exception {
    SchedulerServer server = new SchedulerServer(config(ReschedulingConfig.Mode.COLOCATED),
        metrics, v -> store, null);
    deployment = vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    int port = server.actualPort();
    awaitTheMigrate(port);
    JsonObject request = new JsonObject().put("id", "r1").put("model", "m")
        .put("gateway_id", "10.9.9.9:1").put("scheduling_mode", "pd_staged")
        .put("scheduling_stage", "decode").put("prompt_num_tokens", 100);
    HttpResponse<Buffer> scheduled = web.post(port, "127.0.0.1", "/schedule")
        .sendBuffer(request.toBuffer()).await(10, TimeUnit.SECONDS);
    assertThat(scheduled.statusCode()).as(scheduled.bodyAsString()).isEqualTo(200);
    assertThat(scheduled.bodyAsString()).contains("d1"); // d0 is over the decode threshold
  }

  @Test
  void theSchedulerServerDoesNotRunTheStandaloneMode() {
    assertThatThrownBy(() -> new SchedulerServer(config(ReschedulingConfig.Mode.STANDALONE),
        metrics, v -> store, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ReschedulerServer");
  }
}
