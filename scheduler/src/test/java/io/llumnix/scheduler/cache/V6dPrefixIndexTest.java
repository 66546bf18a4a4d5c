package io.llumnix.scheduler.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.time.Clock;
import io.llumnix.kvs.hash.KvsHashAlgo;
import io.llumnix.kvs.hash.KvsKeyFormat;
import io.llumnix.kvs.hash.KvsKeys;
import io.llumnix.runtime.VertxClock;
import io.llumnix.runtime.redis.RedisProcess;
import io.llumnix.testing.RedisCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Vineyard's metadata as the engines write it (a sorted set of endpoints per xxhash chunk key),
 * read back by {@link V6dPrefixIndex} from a real redis-server and a real three-node Redis
 * Cluster, where the keys of one prompt land on different nodes.
 */
class V6dPrefixIndexTest {

  static final KvsKeyFormat FORMAT = KvsKeyFormat.of(KvsHashAlgo.XXHASH, 16, false);
  static Vertx vertx;
  static Clock clock;
  static RedisProcess single;
  static RedisCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    clock = VertxClock.of(vertx);
    single = RedisProcess.start();
    cluster = RedisCluster.start(3);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    single.close();
    cluster.close();
  }

  static int[] prompt(int first, int length) {
    int[] tokens = new int[length];
    for (int i = 0; i < length; i++) {
      tokens[i] = first + i;
    }
    return tokens;
  }

  /** What an engine writes for the first {@code chunks} chunks of {@code tokens}. */
  static void publish(Redis redis, String endpoint, int[] tokens, int chunks)
      throws Exception {
    List<String> keys = new KvsKeys(FORMAT).keys(tokens, chunks * FORMAT.chunkSize());
    List<Future<?>> writes = new ArrayList<>();
    for (String key : keys) {
      writes.add(redis.send(Request.cmd(Command.ZADD).arg(key).arg("1.0").arg(endpoint)));
    }
    Future.all(writes).await(10, TimeUnit.SECONDS);
  }

  static PrefixHits lookup(PrefixIndex index, int[] tokens) throws Exception {
    PrefixIndex.Timings ignored = new PrefixIndex.Timings() {
      @Override
      public void calculated(double millis) {}

      @Override
      public void queried(double millis) {}
    };
    return index.lookup(tokens, tokens.length, ignored).await(10, TimeUnit.SECONDS);
  }

  void holdersAndRuns(List<String> hosts, Redis writer) throws Exception {
    int[] tokens = prompt(7_000, 64); // four chunks of 16
    publish(writer, "10.0.0.1:28000", tokens, 4);
    publish(writer, "10.0.0.2:28000", tokens, 2);
    PrefixIndex index = V6dPrefixIndex.create(vertx, new CacheAwareConfig.V6dSettings(hosts, "",
        2, 2, 3000), FORMAT, clock); // batches of two, to cross batch boundaries
    try {
      PrefixHits hits = lookup(index, tokens);
      assertThat(hits.holdersAreEndpoints()).isTrue();
      assertThat(hits.byHolder()).containsEntry("10.0.0.1:28000", 64)
          .containsEntry("10.0.0.2:28000", 32).hasSize(2);
      assertThat(lookup(index, prompt(90_000, 64)).byHolder()).isEmpty();
    } finally {
      index.close();
    }
  }

  // A plain redis-server: one host.
  @Test
  void readsTheHoldersOfEachChunkFromOneRedis() throws Exception {
    String host = "127.0.0.1:" + single.port();
    Redis writer = Redis.createClient(vertx, "redis://" + host);
    holdersAndRuns(List.of(host), writer);
    writer.close();
  }

  // A Redis Cluster: several hosts, keys spread over the nodes' slots.
  @Test
  void readsTheHoldersOfEachChunkFromARedisCluster() throws Exception {
    List<String> hosts = cluster.ports().stream().map(p -> "127.0.0.1:" + p).toList();
    RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
    hosts.forEach(h -> options.addConnectionString("redis://" + h));
    Redis writer = Redis.createClient(vertx, options);
    holdersAndRuns(hosts, writer);
    writer.close();
  }

  // Redis gone: the lookup fails (the health gate then counts it), it does not hang.
  @Test
  void anUnreachableRedisFailsTheLookup() {
    PrefixIndex index = V6dPrefixIndex.create(vertx, new CacheAwareConfig.V6dSettings(
        List.of("127.0.0.1:1"), "", 500, 10, 2000), FORMAT, clock);
    try {
      Future<PrefixHits> lookup = index.lookup(prompt(1, 64), 64, new PrefixIndex.Timings() {
        @Override
        public void calculated(double millis) {}

        @Override
        public void queried(double millis) {}
      });
      assertThat(lookup.toCompletionStage().toCompletableFuture()
          .handle((hits, failure) -> failure).join()).isNotNull();
    } finally {
      index.close();
    }
  }
}
