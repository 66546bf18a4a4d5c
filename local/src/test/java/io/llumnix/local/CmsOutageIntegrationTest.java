package io.llumnix.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.cms.RedisCmsStore;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.scheduler.SchedulerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A full-mode cluster whose Redis restarts empty, with the reference's slow metadata cadence
 * (llumlets every 20 s, the scheduler every 10 s): scheduling resumes as soon as Redis is
 * readable, not when the next metadata push comes round.
 */
class CmsOutageIntegrationTest {

  /** The reference's intervals, with a 200 ms heartbeat. */
  static final Llumlet.Settings LLUMLET = new Llumlet.Settings(100, 40, 20_000, 200, 10_000,
      10_000);
  static LocalCluster cluster;
  static Vertx vertx;
  static WebClient web;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.builder().instances(2).engineBasePort(0)
        .engine(Clusters.engine(5).build()).cms(LocalCluster.Cms.REDIS).llumlet(LLUMLET)
        .tokenizer(io.llumnix.tokenizer.TokenizerSource.BUILTIN)
        .gateway(Clusters.gateway().build())
        .scheduler(SchedulerConfig.builder().host("127.0.0.1").port(0)
            .keepaliveIntervalMillis(500).cmsStatusIntervalMillis(50)
            .cmsMetadataIntervalMillis(10_000).build())
        .schedulerLink(link -> link.waitSchedulingRetryMillis(200).reconnectMillis(200))
        .start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.gatewayReady()
        && schedule().statusCode() == 200);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    cluster.close();
  }

  static HttpResponse<Buffer> schedule() throws Exception {
    HttpResponse<Buffer> answer = web.post(cluster.schedulerPort(), "127.0.0.1", "/schedule")
        .sendJsonObject(new JsonObject().put("id", "probe").put("scheduling_mode", "neutral")
            .put("scheduling_stage", "prefill").put("prompt_num_tokens", 10))
        .await(10, TimeUnit.SECONDS);
    if (answer.statusCode() == 200) {
      web.post(cluster.schedulerPort(), "127.0.0.1", "/release")
          .sendJsonObject(answer.bodyAsJsonObject()).await(10, TimeUnit.SECONDS);
    }
    return answer;
  }

  @Test
  void aRedisThatComesBackEmptyIsRefilledAndSchedulingNeverSaysNoEndpoint() throws Exception {
    cluster.redis().stop();
    try {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> schedule().bodyAsString().equals("cms not available"));
    } finally {
      cluster.redis().restart();
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !schedule().bodyAsString().equals("cms not available"));
    // Readable again but empty: the scheduler keeps the instances it knew, so no request is
    // refused meanwhile...
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> answer = schedule();
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    }
    // ...and the llumlets rewrite their metadata at once, not at their next 20 s push.
    RedisCmsStore store = RedisCmsStore.create(vertx, cluster.redis().connection(), 1000);
    try {
      await().atMost(Duration.ofSeconds(5)).until(() ->
          store.allMetadata().await(5, TimeUnit.SECONDS).size() == 2);
    } finally {
      store.close();
    }
    HttpResponse<Buffer> served = web.post(cluster.gatewayPort(), "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "after the outage")
            .put("max_tokens", 4)).await(30, TimeUnit.SECONDS);
    assertThat(served.statusCode()).isEqualTo(200);
  }
}
