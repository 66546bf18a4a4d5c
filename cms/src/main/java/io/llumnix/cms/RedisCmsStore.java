package io.llumnix.cms;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The CMS in Redis (standalone or Cluster), with the reference's encoding: each record is its protobuf
 * bytes under its key, set with {@code EX ttl}. Every call is bounded by a timeout so a hung
 * Redis fails the caller's loop instead of stalling it.
 */
public final class RedisCmsStore implements CmsStore {

  private final Redis redis;
  private final RedisAPI api;
  private final long timeoutMillis;
  private final boolean cluster;

  private RedisCmsStore(Redis redis, long timeoutMillis, boolean cluster) {
    this.redis = redis;
    this.api = RedisAPI.api(redis);
    this.timeoutMillis = timeoutMillis;
    this.cluster = cluster;
  }

  /**
   * A store on {@code connection}: a standalone Redis, or one node of a Redis Cluster (the
   * others are found from it); calls fail after {@code timeoutMillis}.
   */
  public static RedisCmsStore create(Vertx vertx, RedisConnection connection,
      long timeoutMillis) {
    return new RedisCmsStore(connection.client(vertx), timeoutMillis, connection.cluster());
  }

  @Override
  public Future<Void> putMetadata(InstanceMetadata metadata, long ttlSeconds) {
    return set(METADATA_PREFIX + metadata.getInstanceId(), metadata.toByteArray(), ttlSeconds);
  }

  @Override
  public Future<Void> putStatus(InstanceStatus status, long ttlSeconds) {
    return set(STATUS_PREFIX + status.getInstanceId(), status.toByteArray(), ttlSeconds);
  }

  /** SET with GET (Redis 6.2+): the old value comes back, nil when there was none. */
  @Override
  public Future<Boolean> replaceStatus(InstanceStatus status, long ttlSeconds) {
    Request request = setRequest(STATUS_PREFIX + status.getInstanceId(), status.toByteArray(),
        ttlSeconds).arg("GET");
    return bounded(redis.send(request)).map(old -> old != null);
  }

  private Future<Void> set(String key, byte[] value, long ttlSeconds) {
    return bounded(redis.send(setRequest(key, value, ttlSeconds))).mapEmpty();
  }

  private static Request setRequest(String key, byte[] value, long ttlSeconds) {
    Request request = Request.cmd(Command.SET).arg(key).arg(Buffer.buffer(value));
    if (ttlSeconds > 0) {
      request.arg("EX").arg(ttlSeconds);
    }
    return request;
  }

  @Override
  public Future<Void> delete(String instanceId) {
    return bounded(api.del(List.of(METADATA_PREFIX + instanceId, STATUS_PREFIX + instanceId)))
        .mapEmpty();
  }

  @Override
  public Future<List<InstanceMetadata>> allMetadata() {
    // SCAN walks one node; a cluster's client runs KEYS on every master and merges.
    Future<List<String>> listed = cluster
        ? api.keys(METADATA_PREFIX + "*").map(keys -> {
          List<String> all = new ArrayList<>(keys.size());
          for (Response key : keys) {
            all.add(key.toString());
          }
          return all;
        })
        : scan("0", new ArrayList<>());
    return bounded(listed.compose(keys -> {
      if (keys.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      return api.mget(keys).map(values -> {
        List<InstanceMetadata> all = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
          Response value = values.get(i);
          if (value == null) {
            continue; // expired or deleted between SCAN and MGET
          }
          InstanceMetadata metadata = CmsRecords.metadata(keys.get(i), value.toBytes());
          if (metadata != null) {
            all.add(metadata);
          }
        }
        return all;
      });
    }));
  }

  private Future<List<String>> scan(String cursor, List<String> keys) {
    return api.scan(List.of(cursor, "MATCH", METADATA_PREFIX + "*", "COUNT", "1000"))
        .compose(response -> {
          String next = response.get(0).toString();
          for (Response key : response.get(1)) {
            keys.add(key.toString());
          }
          return next.equals("0") ? Future.succeededFuture(keys) : scan(next, keys);
        });
  }

  @Override
  public Future<List<@Nullable InstanceStatus>> statuses(List<String> instanceIds) {
    if (instanceIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<String> keys = new ArrayList<>(instanceIds.size());
    for (String id : instanceIds) {
      keys.add(STATUS_PREFIX + id);
    }
    return bounded(api.mget(keys)).map(values -> {
      List<@Nullable InstanceStatus> statuses = new ArrayList<>(instanceIds.size());
      for (int i = 0; i < instanceIds.size(); i++) {
        statuses.add(null);
      }
      // A cluster's MGET merges per-slot answers out of key order, so there each status is
      // placed by the instance id it carries; a standalone Redis answers in key order, and a
      // status under another instance's key is ignored.
      @Nullable Map<String, Integer> position = cluster ? positions(instanceIds) : null;
      for (int i = 0; i < values.size(); i++) {
        Response value = values.get(i);
        if (value == null) {
          continue; // expired, deleted, or never written
        }
        InstanceStatus status = CmsRecords.status(value.toBytes());
        if (status == null) {
          continue;
        }
        if (position == null) {
          if (i < instanceIds.size() && status.getInstanceId().equals(instanceIds.get(i))) {
            statuses.set(i, status);
          }
        } else {
          Integer at = position.get(status.getInstanceId());
          if (at != null) {
            statuses.set(at, status);
          }
        }
      }
      return statuses;
    });
  }

  private static Map<String, Integer> positions(List<String> instanceIds) {
    Map<String, Integer> position = new HashMap<>(instanceIds.size() * 2);
    for (int i = 0; i < instanceIds.size(); i++) {
      position.put(instanceIds.get(i), i);
    }
    return position;
  }

  private <T> Future<T> bounded(Future<T> future) {
    return future.timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(RedisErrors.explained(e)));
  }

  @Override
  public void close() {
    redis.close();
  }
}
