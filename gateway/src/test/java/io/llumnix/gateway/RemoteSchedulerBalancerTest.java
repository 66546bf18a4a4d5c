package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.balance.InstanceDirectory;
import io.llumnix.gateway.balance.RemoteSchedulerBalancer;
import io.llumnix.gateway.balance.RoundRobinBalancer;
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
  void aSchedulerThatStopsPingingIsDroppedAndDialledAgain() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AtomicInteger connections = new AtomicInteger();
      HttpServer silent = vertx.createHttpServer().webSocketHandler(ws -> {
        connections.incrementAndGet();
        ws.textMessageHandler(hello -> ws.writeTextMessage("ok")); // and never a ping
      }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      RoundRobinBalancer fallback = new RoundRobinBalancer(
          InstanceDirectory.of(List.of(LlmInstance.ofEndpoint("127.0.0.1", 9))));
      RemoteSchedulerBalancer balancer = new RemoteSchedulerBalancer(vertx,
          new RemoteSchedulerBalancer.Settings(List.of("127.0.0.1:" + silent.actualPort()), "",
              1000, 1000, 100, 0, 50, 100, false), fallback);

      await().atMost(Duration.ofSeconds(5)).until(balancer::ready);
      await().atMost(Duration.ofSeconds(5)).until(() -> connections.get() >= 2);
      balancer.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
