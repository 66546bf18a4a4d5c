package io.llumnix.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.time.ManualClock;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.ServiceToken;
import io.llumnix.testing.TestClocks;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keepalive's upgrade carries the service token, against a scheduler stand-in that checks
 * it as the scheduler does ({@link ServiceToken#admits}) and refuses with 401 otherwise.
 */
class SchedulerConnectionTest {

  static final ServiceToken TOKEN = ServiceToken.of("s3cret");

  Vertx vertx;
  ManualClock clock;
  HttpServer scheduler;
  final Queue<String> authorizations = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    clock = TestClocks.onEventLoops(0);
    scheduler = vertx.createHttpServer().requestHandler(request -> {
      String authorization = request.getHeader("Authorization");
      authorizations.add(String.valueOf(authorization));
      if (!TOKEN.admits(authorization)) {
        request.response().setStatusCode(401).end();
        return;
      }
      request.toWebSocket().onSuccess(ws ->
          ws.textMessageHandler(hello -> ws.writeTextMessage(Keepalive.ACCEPTED)));
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  SchedulerConnection connection(ServiceToken token) {
    return new SchedulerConnection(vertx, clock,
        List.of(new SchedulerEndpoint("127.0.0.1", scheduler.actualPort())), 1000, 3000,
        () -> {}, token);
  }

  @Test
  void theUpgradeCarriesTheTokenAsBearer() {
    SchedulerConnection connection = connection(TOKEN);
    connection.connect();
    await().atMost(Duration.ofSeconds(5)).until(() -> connection.gatewayId() != null);
    assertThat(authorizations).containsExactly("Bearer s3cret");
    connection.close();
  }

  @Test
  void aRefusedGatewayStaysUnregisteredAndKeepsDialling() {
    SchedulerConnection connection = connection(ServiceToken.NONE);
    connection.connect();
    await().atMost(Duration.ofSeconds(5)).until(() -> authorizations.size() == 1);
    clock.advanceMillis(1000); // the reconnect interval: it dials again, and is refused again
    await().atMost(Duration.ofSeconds(5)).until(() -> authorizations.size() == 2);
    assertThat(authorizations).containsOnly("null");
    assertThat(connection.gatewayId()).isNull();
    connection.close();
  }
}
