package io.llumnix.kvs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.redis.RedisProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metadata service over real HTTP with its index in a real Redis, and Redis outages. */
class RedisKvsServerTest {

  RedisProcess redis;
  Vertx vertx;
  ComponentMetrics metrics;
  KvsServer server;
  Http http;
  Redis raw;

  @BeforeEach
  void start() throws Exception {
    redis = RedisProcess.start();
    vertx = Vertx.vertx();
    metrics = ComponentMetrics.create(1000);
    server = new KvsServer(KvsSettings.redis("127.0.0.1", 0, redis.connection())
        .withKeyPrefix("t:").withTimings(500, 100), metrics);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    http = new Http(server.actualPort());
    raw = Redis.createClient(vertx, redis.connection().options());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    redis.close();
  }

  List<String> members(String set) throws Exception {
    Response response = raw.send(Request.cmd(Command.SMEMBERS).arg(set))
        .await(5, TimeUnit.SECONDS);
    List<String> all = new ArrayList<>();
    response.forEach(member -> all.add(member.toString()));
    return all;
  }

  @Test
  void keepsBothDirectionsInRedis() throws Exception {
    assertThat(http.post("/batch_put_keys", KvsServerTest.keys("10.0.0.1:28000", "a", "b"))
        .status()).isEqualTo(200);
    assertThat(http.post("/batch_put_keys", KvsServerTest.keys("10.0.0.2:28000", "b"))
        .status()).isEqualTo(200);
    assertThat(members("t:key:b")).containsExactlyInAnyOrder("10.0.0.1:28000",
        "10.0.0.2:28000");
    assertThat(members("t:endpoint:10.0.0.1:28000")).containsExactlyInAnyOrder("a", "b");
    assertThat(members("t:endpoints")).containsExactlyInAnyOrder("10.0.0.1:28000",
        "10.0.0.2:28000");

    JsonObject reply = http.get("/batch_query_keys?keys=a,b,c").json();
    assertThat(KvsServerTest.endpoints(reply, "a")).containsExactly("10.0.0.1:28000");
    assertThat(KvsServerTest.endpoints(reply, "b")).containsExactlyInAnyOrder("10.0.0.1:28000",
        "10.0.0.2:28000");
    assertThat(reply.getJsonObject("data").getJsonObject("c").getString("error"))
        .isEqualTo("OBJECT_NOT_FOUND");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
        http.get("/metrics").body()).contains("kvs_keys_held 3.0").contains("kvs_endpoints 2.0"));

    assertThat(http.post("/batch_remove_keys", KvsServerTest.keys("10.0.0.2:28000", "b"))
        .status()).isEqualTo(200);
    assertThat(members("t:key:b")).containsExactly("10.0.0.1:28000");
    assertThat(members("t:endpoint:10.0.0.2:28000")).isEmpty();

    assertThat(http.post("/remove_endpoint", "{\"endpoint\":\"10.0.0.1:28000\"}").status())
        .isEqualTo(200);
    assertThat(members("t:key:a")).isEmpty();
    assertThat(members("t:key:b")).isEmpty();
    assertThat(members("t:endpoint:10.0.0.1:28000")).isEmpty();
    assertThat(members("t:endpoints")).doesNotContain("10.0.0.1:28000");
    reply = http.get("/batch_query_keys?keys=a,b").json();
    assertThat(reply.getJsonObject("data").getJsonObject("a").getBoolean("ok")).isFalse();
  }

  @Test
  void dropsAnEndpointWithManyKeysInChunks() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      keys.add(String.format("%064x", i));
    }
    assertThat(http.post("/batch_put_keys", KvsServerTest.keys("10.0.0.5:28000",
        keys.toArray(String[]::new))).status()).isEqualTo(200);
    assertThat(members("t:endpoint:10.0.0.5:28000")).hasSize(2500);
    assertThat(http.post("/remove_endpoint", "{\"endpoint\":\"10.0.0.5:28000\"}").status())
        .isEqualTo(200);
    assertThat(members("t:endpoint:10.0.0.5:28000")).isEmpty();
    long left = raw.send(Request.cmd(Command.DBSIZE)).await(5, TimeUnit.SECONDS).toLong();
    assertThat(left).isZero();
  }

  @Test
  void answers503AndTurnsUnhealthyWhileRedisIsDown() throws Exception {
    http.post("/batch_put_keys", KvsServerTest.keys("10.0.0.1:28000", "a"));
    assertThat(http.get("/healthz").status()).isEqualTo(200);

    redis.stop();
    long started = System.nanoTime();
    Http.Answer query = http.get("/batch_query_keys?keys=a");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3000);
    assertThat(query.status()).isEqualTo(503);
    assertThat(query.json().getBoolean("success")).isFalse();
    assertThat(query.json().getString("error")).startsWith("kv store unavailable");
    Http.Answer put = http.post("/batch_put_keys", KvsServerTest.keys("10.0.0.1:28000", "b"));
    assertThat(put.status()).isEqualTo(503);
    assertThat(put.json().getBoolean("success")).isFalse();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(http.get("/healthz").status()).isEqualTo(503));
    assertThat(http.get("/metrics").body()).contains("kvs_store_up 0.0")
        .contains("kvs_requests_total{path=\"/batch_query_keys\",status_code=\"503\"} 1.0");

    redis.restart(); // empty, on the same port
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(http.get("/healthz").status()).isEqualTo(200));
    assertThat(http.post("/batch_put_keys", KvsServerTest.keys("10.0.0.1:28000", "b")).status())
        .isEqualTo(200);
    JsonObject reply = http.get("/batch_query_keys?keys=a,b").json();
    assertThat(reply.getJsonObject("data").getJsonObject("a").getBoolean("ok")).isFalse();
    assertThat(KvsServerTest.endpoints(reply, "b")).containsExactly("10.0.0.1:28000");
  }
}
