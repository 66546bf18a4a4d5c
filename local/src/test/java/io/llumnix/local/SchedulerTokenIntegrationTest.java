package io.llumnix.local;

import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.ServiceToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A scheduler with a service token behind a gateway that has it: the gateway's keepalive is
 * accepted and its requests are scheduled; a client without the token is refused on the
 * internal routes and the keepalive WebSocket alike.
 */
class SchedulerTokenIntegrationTest {

  static final String TOKEN = "s3cret-token";
  static LocalCluster cluster;
  static Vertx vertx;
  static WebClient web;

  @BeforeAll
  static void start() throws Exception {
    cluster = Clusters.liteCluster(1, 20)
        .scheduler(Clusters.lite().serviceToken(ServiceToken.of(TOKEN)).build())
        .schedulerLink(link -> link.reportIntervalMillis(100).waitSchedulingRetryMillis(200)
            .reconnectMillis(200).client(new SchedulerClient.Settings(2000, TOKEN, 16)))
        .start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    cluster.close();
  }

  @Test
  void aTokenedGatewayIsServedAndAnUntokenedClientRefusedEverywhere() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(cluster::gatewaysReady);
    HttpResponse<Buffer> answer = Clusters.post(web, cluster.gatewayPort(), "/v1/completions",
        "{\"model\":\"m\",\"prompt\":\"through the scheduler\",\"max_tokens\":2}");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(sample(Clusters.metrics(web, cluster.schedulerPort()),
        "scheduler_scheduling_total")).isGreaterThanOrEqualTo(1);

    for (String path : new String[] {"/schedule", "/release", "/report"}) {
      HttpResponse<Buffer> refused = Clusters.post(web, cluster.schedulerPort(), path,
          "{\"id\":\"x\"}");
      assertThat(refused.statusCode()).as(path).isEqualTo(401);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getInteger("code"))
          .isEqualTo(401);
    }
    Future<?> upgrade = vertx.createWebSocketClient().connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(cluster.schedulerPort()).setURI(Keepalive.PATH));
    await().atMost(Duration.ofSeconds(10)).until(upgrade::isComplete);
    assertThat(upgrade.cause()).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) upgrade.cause()).getStatus()).isEqualTo(401);
    assertThat(Clusters.metrics(web, cluster.schedulerPort())).contains("scheduler_");
  }
}
