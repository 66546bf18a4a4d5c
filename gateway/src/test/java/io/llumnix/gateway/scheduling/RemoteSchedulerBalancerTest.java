package io.llumnix.gateway.scheduling;

import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.ManualClock;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.testing.TestClocks;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gateway's side of the keepalive, against a scheduler that accepts but never pings. */
class RemoteSchedulerBalancerTest {

  @Test
  void aSchedulerThatStopsPingingIsDroppedAtTheSecondSilentCheckAndDialledAgain()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    ManualClock clock = TestClocks.onEventLoops(0);
    try {
      AtomicInteger connections = new AtomicInteger();
      HttpServer silent = vertx.createHttpServer().webSocketHandler(ws -> {
        connections.incrementAndGet();
        ws.textMessageHandler(hello -> ws.writeTextMessage(Keepalive.ACCEPTED)); // no pings
      }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      RoundRobinBalancer fallback = new RoundRobinBalancer(
          InstanceDirectory.of(List.of(LlmInstance.ofEndpoint("127.0.0.1", 9))));
      RemoteSchedulerBalancer balancer = new RemoteSchedulerBalancer(vertx, clock,
          SchedulerSettings.builder(List.of(new SchedulerEndpoint("127.0.0.1",
              silent.actualPort()))).pingCheckMillis(3000).reconnectMillis(1000).build(),
          fallback);
      await().atMost(Duration.ofSeconds(5)).until(balancer::ready);
      clock.advanceMillis(3000); // the first check: the hello counted as a sign of life
      clock.advanceMillis(3000); // one silent check: still kept
      await().during(Duration.ofMillis(200)).until(balancer::ready);
      clock.advanceMillis(3000); // the second silent check drops it
      await().atMost(Duration.ofSeconds(5)).until(() -> !balancer.ready());
      clock.advanceMillis(1000); // and it dials again after the reconnect interval
      await().atMost(Duration.ofSeconds(5)).until(() -> connections.get() == 2
          && balancer.ready());
      balancer.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
