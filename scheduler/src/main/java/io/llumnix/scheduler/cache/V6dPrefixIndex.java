package io.llumnix.scheduler.cache;

import io.llumnix.core.time.Clock;
import io.llumnix.kvs.hash.KvsKeyFormat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Vineyard's KV metadata in Redis (or Redis Cluster): one sorted set per key whose members are
 * the transport endpoints ({@code ip:port}) holding it, read with {@code ZRANGE key 0 -1
 * WITHSCORES} in batches of pipelined commands, as the reference reads it.
 */
final class V6dPrefixIndex {

  private V6dPrefixIndex() {}

  static PrefixIndex create(Vertx vertx, CacheAwareConfig.V6dSettings settings,
      KvsKeyFormat format, Clock clock) {
    if (settings.hosts().isEmpty()) {
      throw new IllegalArgumentException("--kvs-backend v6d needs "
          + "--kvs-metadata-service-redis-cluster-hosts (or a --kvs-metadata-service-config-path)");
    }
    RedisOptions options = new RedisOptions().setMaxPoolSize(settings.maxConcurrentBatches())
        .setMaxPoolWaiting(1024).setMaxWaitingHandlers(4096);
    for (String host : settings.hosts()) {
      options.addConnectionString("redis://" + host);
    }
    if (!settings.password().isEmpty()) {
      options.setPassword(settings.password());
    }
    // One node is a plain Redis (what a single-machine setup runs); several are a cluster.
    options.setType(settings.hosts().size() > 1 ? RedisClientType.CLUSTER
        : RedisClientType.STANDALONE);
    Redis redis = Redis.createClient(vertx, options);
    return new KvsPrefixIndex(format, keys -> query(redis, settings, keys), redis::close, clock);
  }

  private static Future<Map<String, List<String>>> query(Redis redis,
      CacheAwareConfig.V6dSettings settings, List<String> keys) {
    Map<String, List<String>> held = new HashMap<>();
    Future<Void> chain = Future.succeededFuture();
    int perRound = settings.maxBatchSize() * settings.maxConcurrentBatches();
    for (int from = 0; from < keys.size(); from += perRound) {
      List<String> round = keys.subList(from, Math.min(keys.size(), from + perRound));
      chain = chain.compose(ignored -> {
        List<Future<Void>> batches = new ArrayList<>();
        for (int b = 0; b < round.size(); b += settings.maxBatchSize()) {
          batches.add(batch(redis, round.subList(b,
              Math.min(round.size(), b + settings.maxBatchSize())), held));
        }
        return Future.all(batches).mapEmpty();
      });
    }
    return chain.map(ignored -> held)
        .timeout(settings.queryTimeoutMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * One batch on one connection, every command sent before the first answer (pipelined; a
   * cluster connection sends each to its key's node). A send on the client itself would take
   * a pooled connection per key.
   */
  private static Future<Void> batch(Redis redis, List<String> keys,
      Map<String, List<String>> held) {
    return redis.connect().compose(connection -> {
      List<Future<Response>> replies = new ArrayList<>(keys.size());
      for (String key : keys) {
        replies.add(connection.send(Request.cmd(Command.ZRANGE).arg(key).arg(0).arg(-1)
            .arg("WITHSCORES")));
      }
      return Future.all(replies).<Void>map(all -> {
        for (int i = 0; i < keys.size(); i++) {
          List<String> members = members(replies.get(i).result());
          if (!members.isEmpty()) {
            held.put(keys.get(i), members);
          }
        }
        return null;
      }).eventually(connection::close);
    });
  }

  /**
   * The members of a {@code WITHSCORES} reply: RESP2 gives {@code [member, score, …]}, RESP3
   * {@code [[member, score], …]}.
   */
  static List<String> members(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of();
    }
    List<String> members = new ArrayList<>();
    boolean pairs = reply.get(0).type() == ResponseType.MULTI;
    for (int i = 0; i < reply.size(); i += pairs ? 1 : 2) {
      Response member = pairs ? reply.get(i).get(0) : reply.get(i);
      members.add(member.toString());
    }
    return members;
  }
}
