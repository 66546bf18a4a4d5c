package io.llumnix.kvs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.testing.RedisCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis index on a real three-node Redis Cluster, its SETs spread over every node. */
class RedisClusterKvsStoreTest {

  static RedisCluster cluster;
  static Vertx vertx;
  static KvsStore store;

  @BeforeAll
  static void start() throws Exception {
    cluster = RedisCluster.start(3);
    vertx = Vertx.vertx();
    RedisConnection seed = RedisConnection.of("127.0.0.1", cluster.ports().get(0))
        .withCluster(true);
    store = RedisKvsStore.create(vertx, seed, "c:", 5000);
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    vertx.close().await(10, TimeUnit.SECONDS);
    cluster.close();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(20, TimeUnit.SECONDS);
  }

  @Test
  void putsQueriesAndRemovesAcrossNodes() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      keys.add("chunk-" + i); // spread over every node's slots
    }
    await(store.put("10.0.0.1:28000", keys));
    await(store.put("10.0.0.2:28000", keys.subList(0, 10)));

    Map<String, List<String>> found = await(store.query(List.of("chunk-0", "chunk-1499",
        "nope")));
    assertThat(found).containsOnlyKeys("chunk-0", "chunk-1499");
    assertThat(found.get("chunk-0")).containsExactlyInAnyOrder("10.0.0.1:28000",
        "10.0.0.2:28000");
    assertThat(found.get("chunk-1499")).containsExactly("10.0.0.1:28000");
    assertThat(await(store.stats())).isEqualTo(new KvsStore.Stats(1510, 2));

    await(store.remove("10.0.0.2:28000", List.of("chunk-0")));
    assertThat(await(store.query(List.of("chunk-0"))).get("chunk-0"))
        .containsExactly("10.0.0.1:28000");

    assertThat(await(store.removeEndpoint("10.0.0.1:28000"))).isEqualTo(1500);
    found = await(store.query(keys));
    assertThat(found).containsOnlyKeys(keys.subList(1, 10));
    assertThat(await(store.stats())).isEqualTo(new KvsStore.Stats(9, 1));
    await(store.ping());
  }
}
