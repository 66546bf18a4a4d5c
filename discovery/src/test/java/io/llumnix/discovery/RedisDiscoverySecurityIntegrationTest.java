package io.llumnix.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.InferType;
import io.llumnix.runtime.process.ChildProcess;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisProcess;
import io.llumnix.testing.TlsRedis;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sidecar and the consumer against a real redis-server with a password, with ACL users
 * only, and on TLS; wrong credentials show as a stale view and a log line saying why, at once.
 */
class RedisDiscoverySecurityIntegrationTest {

  Vertx vertx;
  int enginePort;
  final SeenInstances seen = new SeenInstances();
  /** What discovery logs (System.Logger goes to java.util.logging). */
  final Queue<String> logged = new ConcurrentLinkedQueue<>();
  final Logger discoveryLogger = Logger.getLogger(RedisDiscovery.class.getName());
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    discoveryLogger.addHandler(capture);
    enginePort = ChildProcess.freePort();
    vertx.createHttpServer()
        .requestHandler(request -> request.response().setStatusCode(
            request.path().equals("/health") ? 200 : 404).end())
        .listen(enginePort, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    discoveryLogger.removeHandler(capture);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A sidecar writing through {@code writer} is found by one reading through {@code reader}. */
  void registersAndIsFound(RedisConnection writer, RedisConnection reader) {
    DiscoverySidecar.start(vertx, writer, new DiscoverySidecar.Settings(InferType.NEUTRAL,
        "pod-s", "127.0.0.1", enginePort, "127.0.0.1", 28000, 1, "m", 200));
    RedisDiscovery.start(vertx, reader, new RedisDiscovery.Settings(100, 60_000, null), seen);
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.containsKey("pod-s_dp0"));
  }

  /** Discovery reading through {@code connection} goes stale at once, and logs {@code reason}. */
  void refused(RedisConnection connection, String reason) {
    RedisDiscovery discovery = RedisDiscovery.start(vertx, connection,
        new RedisDiscovery.Settings(100, 60_000, null), seen);
    // Well before the refresh's own timeout (1 s here): a refusal, not a hang.
    await().atMost(Duration.ofMillis(900)).until(discovery::stale);
    await().atMost(Duration.ofSeconds(1)).until(() ->
        logged.stream().anyMatch(line -> line.contains(reason)));
    discovery.close();
  }

  @Test
  void aPasswordProtectedRedis() throws Exception {
    try (RedisProcess redis = RedisProcess.start(List.of("--requirepass", "disc-pw"))) {
      RedisConnection right = RedisConnection.of("127.0.0.1", redis.port(), "", "disc-pw");
      registersAndIsFound(right, right);
      refused(RedisConnection.of("127.0.0.1", redis.port(), "", "disc-px"), "WRONGPASS");
      refused(RedisConnection.of("127.0.0.1", redis.port()), "NOAUTH");
    }
  }

  @Test
  void aclUsersWithTheDefaultUserOff() throws Exception {
    try (RedisProcess redis = RedisProcess.start(List.of("--user", "default", "off",
        "--user", "sidecar", "on", ">side-pw", "~llumnix:discovery:*", "+@all",
        "--user", "gateway", "on", ">gw-pw", "~llumnix:discovery:*", "+@all"))) {
      registersAndIsFound(RedisConnection.of("127.0.0.1", redis.port(), "sidecar", "side-pw"),
          RedisConnection.of("127.0.0.1", redis.port(), "gateway", "gw-pw"));
      refused(RedisConnection.of("127.0.0.1", redis.port(), "gateway", "side-pw"), "WRONGPASS");
    }
  }

  @Test
  void overTls() throws Exception {
    TlsRedis redis;
    try {
      redis = TlsRedis.start(List.of("--requirepass", "tls-pw"));
    } catch (IllegalStateException e) {
      Assumptions.abort("redis-server without TLS support: " + e.getMessage());
      return;
    }
    try (redis) {
      RedisConnection tls = new RedisConnection("127.0.0.1", redis.tlsPort(), "", "tls-pw",
          false, redis.connection().tls());
      registersAndIsFound(tls, tls);
      // Plain TCP to the TLS port: the server drops the connection, no answer ever comes.
      refused(RedisConnection.of("127.0.0.1", redis.tlsPort(), "", "tls-pw"), "Connection");
    }
  }
}
