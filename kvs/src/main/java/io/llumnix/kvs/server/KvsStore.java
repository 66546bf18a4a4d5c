package io.llumnix.kvs.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The index of the metadata service: which endpoints ({@code ip:port} of an engine's KV
 * transfer) hold which keys. A key held by no endpoint does not exist. Every call is
 * asynchronous and may be made from any thread; a failed future means the store could not be
 * reached (the service then answers 503).
 */
public interface KvsStore {

  /**
   * How much the index holds.
   *
   * @param keysHeld (key, endpoint) pairs: a key on two endpoints counts twice
   * @param endpoints endpoints holding at least one key
   */
  record Stats(long keysHeld, long endpoints) {}

  /** The store {@code settings} name: in Redis when they give one, else in memory. */
  static KvsStore open(Vertx vertx, KvsSettings settings) {
    return settings.redis() == null ? new MemoryKvsStore()
        : RedisKvsStore.create(vertx, settings.redis(), settings.keyPrefix(),
            settings.redisTimeoutMillis());
  }

  /** The endpoints of each of {@code keys} that some endpoint holds; the others are absent. */
  Future<Map<String, List<String>>> query(List<String> keys);

  /** {@code endpoint} holds {@code keys} (besides what it held). */
  Future<Void> put(String endpoint, Collection<String> keys);

  /** {@code endpoint} no longer holds {@code keys}. */
  Future<Void> remove(String endpoint, Collection<String> keys);

  /** {@code endpoint} holds nothing; the number of keys it held. */
  Future<Long> removeEndpoint(String endpoint);

  /** How much the index holds now. */
  Future<Stats> stats();

  /** Succeeds while the store can be reached. */
  Future<Void> ping();

  /** Releases the store's connections. */
  Future<Void> close();
}
