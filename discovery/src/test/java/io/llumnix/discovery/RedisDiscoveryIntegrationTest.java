package io.llumnix.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sidecar and the consumer against a real redis-server and real health endpoints. */
class RedisDiscoveryIntegrationTest {

  Vertx vertx;
  RedisProcess redis;
  final SeenInstances seen = new SeenInstances();

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

  /** An engine's /health on {@code port}. */
  HttpServer engine(int port) throws Exception {
    return vertx.createHttpServer()
        .requestHandler(request -> request.response().setStatusCode(
            request.path().equals("/health") ? 200 : 404).end())
        .listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  RedisConnection connection() {
    return RedisConnection.of("127.0.0.1", redis.port());
  }

  @Test
  void healthyEnginesAppearAndStoppedOnesLeave() throws Exception {
    // Two engines on consecutive ports, as data-parallel ranks are.
    int base = 0;
    HttpServer rank0 = null;
    HttpServer rank1 = null;
    for (int attempt = 0; attempt < 20 && rank1 == null; attempt++) {
      base = io.llumnix.runtime.process.ChildProcess.freePort();
      rank0 = engine(base);
      try {
        rank1 = engine(base + 1);
      } catch (Exception taken) {
        rank0.close().await(10, TimeUnit.SECONDS);
      }
    }
    assertThat(rank1).as("two consecutive free ports").isNotNull();
    DiscoverySidecar.start(vertx, connection(), new DiscoverySidecar.Settings(InferType.DECODE,
        "pod-a", "127.0.0.1", base, "127.0.0.1", 28000, 2, "m", 200));
    RedisDiscovery.start(vertx, connection(),
        new RedisDiscovery.Settings(100, 600_000, null), seen);

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
    LlmInstance first = seen.get("pod-a_dp0");
    assertThat(first.inferType()).isEqualTo(InferType.DECODE);
    assertThat(first.port()).isEqualTo(base);
    assertThat(first.auxPort()).isEqualTo(28000);
    assertThat(first.dpSize()).isEqualTo(2);
    assertThat(seen.get("pod-a_dp1").port()).isEqualTo(base + 1);

    // One engine stops: the next record leaves it out.
    rank1.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.keySet().equals(
        java.util.Set.of("pod-a_dp0")));

    // The last one stops: the sidecar removes the record, far within the 10-minute TTL.
    rank0.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(seen::isEmpty);
  }

  @Test
  void aSidecarThatDeregistersIsForgottenAtOnceNotAfterTheTtl() throws Exception {
    int port = io.llumnix.runtime.process.ChildProcess.freePort();
    engine(port);
    DiscoverySidecar sidecar = DiscoverySidecar.start(vertx, connection(),
        new DiscoverySidecar.Settings(InferType.NEUTRAL, "pod-leaving", "127.0.0.1", port,
            "127.0.0.1", port + 20000, 1, "", 200));
    RedisDiscovery discovery = RedisDiscovery.start(vertx, connection(),
        new RedisDiscovery.Settings(100, 600_000, null), seen);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.containsKey("pod-leaving_dp0"));
    sidecar.deregister().await(5, TimeUnit.SECONDS);
    // Far within the 10-minute TTL: the record is gone, not aged out.
    await().atMost(Duration.ofSeconds(5)).until(() -> !seen.containsKey("pod-leaving_dp0"));
    discovery.close();
    sidecar.close();
  }

  @Test
  void aRedisOutageKeepsTheLastViewUntilRedisReturns() throws Exception {
    int port = io.llumnix.runtime.process.ChildProcess.freePort();
    engine(port);
    DiscoverySidecar.start(vertx, connection(), new DiscoverySidecar.Settings(InferType.NEUTRAL,
        "pod-b", "127.0.0.1", port, "127.0.0.1", port + 20000, 1, "", 200));
    RedisDiscovery discovery = RedisDiscovery.start(vertx, connection(),
        new RedisDiscovery.Settings(100, 60_000, null), seen);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);

    redis.stop();
    await().atMost(Duration.ofSeconds(10)).until(discovery::stale);
    assertThat(seen).containsKey("pod-b_dp0");
    assertThat(discovery.size()).isEqualTo(1);

    redis.restart(); // empty: the sidecar writes the record again
    await().atMost(Duration.ofSeconds(10)).until(() -> !discovery.stale());
    assertThat(seen).containsKey("pod-b_dp0");
  }

  @Test
  void filtersByInferType() throws Exception {
    int port = io.llumnix.runtime.process.ChildProcess.freePort();
    engine(port);
    DiscoverySidecar.start(vertx, connection(), new DiscoverySidecar.Settings(InferType.PREFILL,
        "pod-c", "127.0.0.1", port, "127.0.0.1", 28000, 1, "", 200));
    SeenInstances decodes = new SeenInstances();
    RedisDiscovery.start(vertx, connection(),
        new RedisDiscovery.Settings(100, 60_000, InferType.DECODE), decodes);
    RedisDiscovery.start(vertx, connection(), new RedisDiscovery.Settings(100, 60_000, null),
        seen);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
    assertThat(decodes).isEmpty();
  }
}
