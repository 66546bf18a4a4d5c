package io.llumnix.kvs.server;

import io.llumnix.runtime.redis.RedisConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The index in Redis (standalone or Cluster), shared by every replica of the service:
 *
 * <ul>
 *   <li>{@code <prefix>key:<key>}: a SET of the endpoints holding the key (what a lookup reads);
 *   <li>{@code <prefix>endpoint:<endpoint>}: a SET of the keys the endpoint holds, so that it
 *       can be dropped without scanning every key;
 *   <li>{@code <prefix>endpoints}: a SET of the endpoints, for the gauges.
 * </ul>
 *
 * <p>A key's SET is deleted by Redis when its last endpoint leaves, so a key no endpoint holds
 * does not exist. Commands go pipelined: a lookup of N keys is one round trip of N
 * {@code SMEMBERS}. A Cluster spreads the SETs over its nodes; its connection routes each
 * command, since one pipeline may not span nodes there.
 *
 * <p>Design notes. The two directions are written in an order that leaves at worst a harmless
 * excess if the service dies between them: a put adds to the endpoint's SET before the keys'
 * SETs, a removal takes from the keys' SETs first, so a key never names an endpoint whose SET
 * has lost it (that would be a hit no removal could clear). Writes for one endpoint should not
 * race its removal; engines remove an endpoint when they restart, before writing again.
 */
public final class RedisKvsStore implements KvsStore {

  /** Commands per pipeline, and members per SADD or SREM. */
  private static final int CHUNK = 1000;

  private final Redis redis;
  private final boolean cluster;
  private final String prefix;
  private final long timeoutMillis;

  private RedisKvsStore(Redis redis, boolean cluster, String prefix, long timeoutMillis) {
    this.redis = redis;
    this.cluster = cluster;
    this.prefix = prefix;
    this.timeoutMillis = timeoutMillis;
  }

  /** A store in the Redis {@code connection} names; commands fail after {@code timeoutMillis}. */
  public static RedisKvsStore create(Vertx vertx, RedisConnection connection, String prefix,
      long timeoutMillis) {
    // Every scheduled request makes a lookup: more connections and waiters than the default.
    RedisOptions options = connection.options().setMaxPoolSize(8).setMaxPoolWaiting(1024);
    return new RedisKvsStore(Redis.createClient(vertx, options), connection.cluster(), prefix,
        timeoutMillis);
  }

  private String keySet(String key) {
    return prefix + "key:" + key;
  }

  private String endpointSet(String endpoint) {
    return prefix + "endpoint:" + endpoint;
  }

  private String endpoints() {
    return prefix + "endpoints";
  }

  @Override
  public Future<Map<String, List<String>>> query(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Request> requests = new ArrayList<>(keys.size());
    for (String key : keys) {
      requests.add(Request.cmd(Command.SMEMBERS).arg(keySet(key)));
    }
    return bounded(pipeline(requests)).map(responses -> {
      Map<String, List<String>> found = new HashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        Response members = responses.get(i);
        if (members != null && members.size() > 0) {
          List<String> endpoints = new ArrayList<>(members.size());
          for (Response member : members) {
            endpoints.add(member.toString());
          }
          found.put(keys.get(i), endpoints);
        }
      }
      return found;
    });
  }

  @Override
  public Future<Void> put(String endpoint, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> index = new ArrayList<>();
    index.add(Request.cmd(Command.SADD).arg(endpoints()).arg(endpoint));
    index.addAll(members(Command.SADD, endpointSet(endpoint), keys));
    List<Request> holders = new ArrayList<>(keys.size());
    for (String key : keys) {
      holders.add(Request.cmd(Command.SADD).arg(keySet(key)).arg(endpoint));
    }
    return bounded(pipeline(index).compose(ignored -> pipeline(holders))).mapEmpty();
  }

  @Override
  public Future<Void> remove(String endpoint, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    return bounded(unlink(endpoint, keys)).mapEmpty();
  }

  /** Takes {@code endpoint} off each key's SET, then the keys off the endpoint's SET. */
  private Future<?> unlink(String endpoint, Collection<String> keys) {
    List<Request> holders = new ArrayList<>(keys.size());
    for (String key : keys) {
      holders.add(Request.cmd(Command.SREM).arg(keySet(key)).arg(endpoint));
    }
    return pipeline(holders)
        .compose(ignored -> pipeline(members(Command.SREM, endpointSet(endpoint), keys)));
  }

  @Override
  public Future<Long> removeEndpoint(String endpoint) {
    return drain(endpoint, 0);
  }

  /**
   * Unlinks the endpoint's keys a chunk at a time, reading before removing so that a crash
   * leaves the endpoint's SET still naming what its keys' SETs do.
   */
  private Future<Long> drain(String endpoint, long removed) {
    Request sample = Request.cmd(Command.SRANDMEMBER).arg(endpointSet(endpoint)).arg(CHUNK);
    return bounded(redis.send(sample)).compose(response -> {
      List<String> keys = strings(response);
      if (keys.isEmpty()) {
        return bounded(redis.send(Request.cmd(Command.SREM).arg(endpoints()).arg(endpoint)))
            .map(ignored -> removed);
      }
      return bounded(unlink(endpoint, keys))
          .compose(ignored -> drain(endpoint, removed + keys.size()));
    });
  }

  @Override
  public Future<Stats> stats() {
    return bounded(redis.send(Request.cmd(Command.SMEMBERS).arg(endpoints())))
        .compose(response -> {
          List<String> all = strings(response);
          if (all.isEmpty()) {
            return Future.succeededFuture(new Stats(0, 0));
          }
          List<Request> sizes = new ArrayList<>(all.size());
          for (String endpoint : all) {
            sizes.add(Request.cmd(Command.SCARD).arg(endpointSet(endpoint)));
          }
          return bounded(pipeline(sizes)).map(counts -> {
            long pairs = 0;
            long holding = 0;
            for (Response count : counts) {
              long n = count == null ? 0 : count.toLong();
              pairs += n;
              holding += n > 0 ? 1 : 0;
            }
            return new Stats(pairs, holding);
          });
        });
  }

  @Override
  public Future<Void> ping() {
    return bounded(redis.send(Request.cmd(Command.PING))).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    redis.close();
    return Future.succeededFuture();
  }

  /** {@code SADD}/{@code SREM set members...}, a chunk of members per command. */
  private static List<Request> members(Command command, String set, Collection<String> all) {
    List<Request> requests = new ArrayList<>(all.size() / CHUNK + 1);
    Request request = null;
    int args = 0;
    for (String member : all) {
      if (request == null || args == CHUNK) {
        request = Request.cmd(command).arg(set);
        requests.add(request);
        args = 0;
      }
      request.arg(member);
      args++;
    }
    return requests;
  }

  /** The replies of {@code requests}, in order; a chunk of them per round trip. */
  private Future<List<@Nullable Response>> pipeline(List<Request> requests) {
    List<@Nullable Response> replies = new ArrayList<>(requests.size());
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < requests.size(); from += CHUNK) {
      List<Request> chunk = requests.subList(from, Math.min(requests.size(), from + CHUNK));
      chain = chain.compose(ignored -> send(chunk).map(part -> {
        replies.addAll(part);
        return null;
      }));
    }
    return chain.map(ignored -> replies);
  }

  private Future<List<@Nullable Response>> send(List<Request> chunk) {
    if (!cluster) {
      return redis.batch(chunk);
    }
    // A Cluster connection pipelines each node's share of concurrent sends.
    return redis.connect().compose(connection -> {
      List<Future<@Nullable Response>> sent = new ArrayList<>(chunk.size());
      for (Request request : chunk) {
        sent.add(connection.send(request));
      }
      return Future.all(sent).<List<@Nullable Response>>map(all -> {
        List<@Nullable Response> replies = new ArrayList<>(sent.size());
        for (Future<@Nullable Response> reply : sent) {
          replies.add(reply.result());
        }
        return replies;
      }).eventually(() -> connection.close());
    });
  }

  private static List<String> strings(@Nullable Response response) {
    if (response == null) {
      return List.of();
    }
    List<String> all = new ArrayList<>(response.size());
    for (Response item : response) {
      all.add(item.toString());
    }
    return all;
  }

  private <T> Future<T> bounded(Future<T> future) {
    return future.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }
}
