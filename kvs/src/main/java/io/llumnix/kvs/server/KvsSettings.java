package io.llumnix.kvs.server;

import io.llumnix.kvs.mooncake.MooncakeApi;
import io.llumnix.runtime.redis.RedisConnection;
import org.jspecify.annotations.Nullable;

/**
 * Where the metadata service listens and where it keeps its index.
 *
 * @param redis the Redis (standalone or one node of a Cluster) that holds the index, shared
 *     by every replica of the service; null to hold it in this process's memory
 * @param keyPrefix put before every Redis key name, so services can share a Redis
 * @param redisTimeoutMillis a Redis command fails after this long (the request then 503s)
 * @param healthIntervalMillis how often the store is pinged for {@code /healthz} and counted
 *     for the gauges
 */
public record KvsSettings(String host, int port, @Nullable RedisConnection redis,
    String keyPrefix, long redisTimeoutMillis, long healthIntervalMillis) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = MooncakeApi.DEFAULT_PORT;
  public static final String DEFAULT_KEY_PREFIX = "llumnix:kvs:";
  public static final long DEFAULT_REDIS_TIMEOUT_MILLIS = 1000;
  public static final long DEFAULT_HEALTH_INTERVAL_MILLIS = 1000;

  public KvsSettings {
    if (port < 0 || port > 65535 || redisTimeoutMillis < 1 || healthIntervalMillis < 1) {
      throw new IllegalArgumentException("kvs settings: port " + port + ", redis timeout "
          + redisTimeoutMillis + " ms, health interval " + healthIntervalMillis
          + " ms (expected: a port 0-65535, timeouts >= 1)");
    }
  }

  /** The index in memory, on {@code host:port} (0: any free port). */
  public static KvsSettings memory(String host, int port) {
    return new KvsSettings(host, port, null, DEFAULT_KEY_PREFIX, DEFAULT_REDIS_TIMEOUT_MILLIS,
        DEFAULT_HEALTH_INTERVAL_MILLIS);
  }

  /** The index in {@code redis}, on {@code host:port}. */
  public static KvsSettings redis(String host, int port, RedisConnection redis) {
    return new KvsSettings(host, port, redis, DEFAULT_KEY_PREFIX, DEFAULT_REDIS_TIMEOUT_MILLIS,
        DEFAULT_HEALTH_INTERVAL_MILLIS);
  }

  /** These settings with another Redis key prefix. */
  public KvsSettings withKeyPrefix(String keyPrefix) {
    return new KvsSettings(host, port, redis, keyPrefix, redisTimeoutMillis,
        healthIntervalMillis);
  }

  /** These settings with other timings. */
  public KvsSettings withTimings(long redisTimeoutMillis, long healthIntervalMillis) {
    return new KvsSettings(host, port, redis, keyPrefix, redisTimeoutMillis,
        healthIntervalMillis);
  }

  /** Where the index is, for logs. */
  public String describe() {
    return redis == null ? "in memory" : "in Redis at " + redis + " under " + keyPrefix;
  }
}
