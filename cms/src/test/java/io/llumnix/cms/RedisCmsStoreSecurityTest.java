package io.llumnix.cms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisProcess;
import io.llumnix.testing.TlsRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CMS's writer (the llumlet's store) and reader (the scheduler's) against a real
 * redis-server that requires a password, one with ACL users only, and one on TLS; wrong
 * credentials fail each call with Redis's own reason, well inside the store's timeout.
 */
class RedisCmsStoreSecurityTest {

  static final long TIMEOUT_MILLIS = 5000;

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  static final InstanceMetadata METADATA = InstanceMetadata.newBuilder()
      .setInstanceId("10.0.0.1_instance0_1").setInstanceType("neutral").setIp("10.0.0.1")
      .setApiServerPort(8000).setDataParallelSize(1).build();
  static final InstanceStatus STATUS = InstanceStatus.newBuilder()
      .setInstanceId("10.0.0.1_instance0_1").setSchedulable(true).setTimestampMs(1).build();

  /** The llumlet writes through one store, the scheduler reads through another. */
  static void writeThenRead(RedisConnection writerSide, RedisConnection readerSide)
      throws Exception {
    try (RedisCmsStore writer = RedisCmsStore.create(vertx, writerSide, TIMEOUT_MILLIS);
        RedisCmsStore reader = RedisCmsStore.create(vertx, readerSide, TIMEOUT_MILLIS)) {
      await(writer.putMetadata(METADATA, 100));
      await(writer.putStatus(STATUS, 100));
      assertThat(await(reader.allMetadata())).containsExactly(METADATA);
      assertThat(await(reader.statuses(List.of(METADATA.getInstanceId()))))
          .containsExactly(STATUS);
      await(writer.delete(METADATA.getInstanceId()));
    }
  }

  /** A call with {@code connection} fails soon, for {@code reason}. */
  static void refused(RedisConnection connection, String reason) {
    try (RedisCmsStore store = RedisCmsStore.create(vertx, connection, TIMEOUT_MILLIS)) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> await(store.allMetadata())).hasMessageContaining(reason);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(Duration.ofMillis(TIMEOUT_MILLIS)); // a refusal, not a timeout
    }
  }

  @Test
  void aPasswordProtectedRedis() throws Exception {
    try (RedisProcess redis = RedisProcess.start(List.of("--requirepass", "p@ss:w/rd"))) {
      // Characters a URL would misread: the password is encoded into the connection string.
      RedisConnection right = RedisConnection.of("127.0.0.1", redis.port(), "", "p@ss:w/rd");
      writeThenRead(right, right);
      refused(RedisConnection.of("127.0.0.1", redis.port(), "", "p@ss:w/rx"), "WRONGPASS");
      refused(RedisConnection.of("127.0.0.1", redis.port()), "NOAUTH");
    }
  }

  @Test
  void anAclUserWithTheDefaultUserOff() throws Exception {
    try (RedisProcess redis = RedisProcess.start(List.of("--user", "default", "off",
        "--user", "llumlet", "on", ">writer-pw", "~llumnix:*", "+@all",
        "--user", "scheduler", "on", ">reader-pw", "~llumnix:*", "+@read", "+scan"))) {
      writeThenRead(RedisConnection.of("127.0.0.1", redis.port(), "llumlet", "writer-pw"),
          RedisConnection.of("127.0.0.1", redis.port(), "scheduler", "reader-pw"));
      refused(RedisConnection.of("127.0.0.1", redis.port(), "llumlet", "reader-pw"),
          "WRONGPASS");
      refused(RedisConnection.of("127.0.0.1", redis.port(), "", "writer-pw"), "WRONGPASS");
      // The reader's user may not write: ACLs hold.
      try (RedisCmsStore reader = RedisCmsStore.create(vertx,
          RedisConnection.of("127.0.0.1", redis.port(), "scheduler", "reader-pw"),
          TIMEOUT_MILLIS)) {
        assertThatThrownBy(() -> await(reader.putStatus(STATUS, 100)))
            .hasMessageContaining("NOPERM");
      }
    }
  }

  @Test
  void overTls() throws Exception {
    TlsRedis redis;
    try {
      // Also on 127.0.0.2, an address the certificate does not name.
      redis = TlsRedis.start(List.of("--requirepass", "tls-pw", "--bind", "127.0.0.1",
          "127.0.0.2"));
    } catch (IllegalStateException e) {
      Assumptions.abort("redis-server without TLS support: " + e.getMessage());
      return;
    }
    try (redis) {
      RedisConnection tls = redis.connection();
      RedisConnection withPassword = new RedisConnection(tls.host(), tls.port(), "", "tls-pw",
          false, tls.tls());
      writeThenRead(withPassword, withPassword);
      refused(new RedisConnection(tls.host(), tls.port(), "", "tls-px", false, tls.tls()),
          "WRONGPASS");
      // The JVM's default trust does not know the self-signed certificate.
      refused(new RedisConnection(tls.host(), tls.port(), "", "tls-pw", false,
          RedisConnection.Tls.on("")), "unable to find valid certification path");
      // The certificate names localhost and 127.0.0.1 only.
      refused(new RedisConnection("127.0.0.2", tls.port(), "", "tls-pw", false, tls.tls()),
          "No subject alternative names matching IP address 127.0.0.2");
    }
  }
}
