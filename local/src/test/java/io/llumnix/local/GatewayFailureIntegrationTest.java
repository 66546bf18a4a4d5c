package io.llumnix.local;

import static io.llumnix.testing.Exposition.events;
import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.scheduler.SchedulerConfig;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway when parts fail: an engine dies mid-run, one ends its streams early, the
 * scheduler goes away and returns.
 */
class GatewayFailureIntegrationTest {

  Vertx vertx;
  WebClient web;
  LocalCluster cluster;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    if (cluster != null) {
      cluster.close();
    }
  }

  String metrics(int port) throws Exception {
    return Clusters.metrics(web, port);
  }

  Future<HttpResponse<Buffer>> stream(int gateway, int maxTokens, int i) {
    return web.post(gateway, "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "request " + i)
            .put("max_tokens", maxTokens).put("ignore_eos", true).put("stream", true));
  }

  @Test
  void anEngineKilledMidRunRetriesUnstartedRequestsAndEndsTheOthersCleanly() throws Exception {
    cluster = Clusters.liteCluster(3, 5).gatewayRoundRobin(true).start();
    int gateway = cluster.gatewayPort();
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      inFlight.add(stream(gateway, 400, i));
    }
    // Every engine is streaming (4 requests each) when engine 0 dies.
    int first = cluster.engines().ports().get(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> sample(metrics(first),
        "vllm:num_requests_running{engine=\"0\",model_name=\"m\"}") > 0);
    cluster.engines().stopInstance(0);

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

  /**
   * Lite load-balance: the idle instance with the lowest id wins, and a faulty one stays the
   * scheduler's choice after each failure (released, it looks idle again). The instance with the
   * lowest id ends its streams without a finish; with {@code cooldownMillis} 0 only the gateway
   * remembering the failed endpoint moves each request's retry on; with a cooldown the scheduler
   * also passes the instance over once the gateway reported it.
   */
  void endsStreamsEarly(long cooldownMillis, double retries, boolean overHttp) throws Exception {
    cluster = Clusters.liteCluster(2, 20).schedulerOverHttp(overHttp)
        .scheduler(Clusters.lite().failureCooldownMillis(cooldownMillis).build())
        .gateway(Clusters.gateway().retryMaxCount(1).build()).start();
    await().atMost(Duration.ofSeconds(10)).until(cluster::gatewayReady);
    String firstId = cluster.instances().stream().map(i -> i.canonicalId()).sorted()
        .findFirst().orElseThrow();
    int faulty = cluster.instances().stream().filter(i -> i.canonicalId().equals(firstId))
        .findFirst().orElseThrow().port();
    cluster.engines().instances().get(cluster.engines().ports().indexOf(faulty))
        .truncateStreams(true);
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> response = stream(cluster.gatewayPort(), 6, i)
          .await(30, TimeUnit.SECONDS);
      List<String> events = events(response.bodyAsString());
      assertThat(events).as(response.bodyAsString()).hasSize(6 + 1).endsWith("[DONE]");
      assertThat(String.join("", events)).doesNotContain("\"error\"");
    }
    // The report reaches the scheduler asynchronously, as the next request may.
    await().atMost(Duration.ofSeconds(5)).until(() -> sample(metrics(cluster.gatewayPort()),
        "request_retry_total{model=\"m\",status_code=\"network_error\"}") == retries);
  }

  @Test
  void anEngineThatEndsStreamsWithoutAFinishIsNotChosenAgainByTheRetry() throws Exception {
    endsStreamsEarly(0, 3, false);
  }

  /** The report of the failure reaches the scheduler in process and over HTTP alike. */
  @ParameterizedTest(name = "over HTTP: {0}")
  @ValueSource(booleans = {false, true})
  void anEngineThatFailedIsPassedOverByTheSchedulerWhileItCoolsDown(boolean overHttp)
      throws Exception {
    endsStreamsEarly(SchedulerConfig.DEFAULT_FAILURE_COOLDOWN_MILLIS, 1, overHttp);
  }

  /** A stopped scheduler refuses calls in process as its closed port does over HTTP. */
  @ParameterizedTest(name = "over HTTP: {0}")
  @ValueSource(booleans = {false, true})
  void withTheSchedulerDownRequestsGoRoundRobinAndSchedulingResumesWhenItReturns(
      boolean overHttp) throws Exception {
    cluster = Clusters.liteCluster(2, 20).gateway(Clusters.gateway().retryMaxCount(1).build())
        .schedulerOverHttp(overHttp).start();
    int gateway = cluster.gatewayPort();
    int scheduler = cluster.schedulerPort();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      stream(gateway, 1, 0).await(10, TimeUnit.SECONDS);
      return sample(metrics(scheduler), "scheduler_scheduling_total") > 0;
    });

    cluster.stopScheduler();
    for (int i = 0; i < 6; i++) {
      HttpResponse<Buffer> response = stream(gateway, 3, i).await(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(events(response.bodyAsString())).hasSize(3 + 1);
    }

    cluster.startScheduler();
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      stream(gateway, 1, 0).await(10, TimeUnit.SECONDS);
      return sample(metrics(scheduler), "scheduler_scheduling_total") > 0;
    });
  }
}
