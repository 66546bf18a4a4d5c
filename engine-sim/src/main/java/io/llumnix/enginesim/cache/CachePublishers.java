package io.llumnix.enginesim.cache;

import io.llumnix.enginesim.core.PrefixCacheListener;
import io.llumnix.kvs.events.KvEventPublisher;
import io.llumnix.kvs.events.KvEventsConfig;
import io.llumnix.kvs.hash.TokenSource;
import io.llumnix.kvs.mooncake.MooncakeClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The engine's prefix-cache publishers, as {@link PublishingSettings} asks: vLLM KV-cache
 * events, KV-store chunk keys, or both. Created with the engine (its core needs a listener from
 * the start) and started once the engine knows its addresses; until then it hears nothing, as
 * no request runs before the engine listens. Runs on the engine's event loop.
 */
public final class CachePublishers implements PrefixCacheListener {

  private final PublishingSettings settings;
  private final int blockSize;
  private final List<PrefixCacheListener> active = new ArrayList<>(2);
  private @Nullable EventPublisher events;
  private @Nullable ChunkPublisher chunks;

  public CachePublishers(PublishingSettings settings, int blockSize) {
    this.settings = settings;
    this.blockSize = blockSize;
  }

  /**
   * Starts publishing.
   *
   * @param transportEndpoint the engine's KV transport endpoint ({@code ip:port}), the name
   *     KV stores list it under
   * @param instanceIndex the engine's index in its process: KV-event ports are offset by it,
   *     as vLLM offsets them by data-parallel rank
   */
  public Future<Void> start(Vertx vertx, String transportEndpoint, int instanceIndex) {
    KvEventsConfig eventsConfig = settings.kvEvents();
    if (eventsConfig != null && eventsConfig.publishesOverZmq()) {
      events = new EventPublisher(new KvEventPublisher(eventsConfig.withPortOffset(
          instanceIndex)));
      active.add(events);
    }
    PublishingSettings.KvsTarget kvs = settings.kvs();
    if (kvs == null) {
      return Future.succeededFuture();
    }
    ChunkWriter writer = kvs.backend().equals("mooncake")
        ? new MooncakeChunkWriter(new MooncakeClient(vertx, kvs.host(), kvs.port()))
        : new V6dChunkWriter(redis(vertx, kvs));
    chunks = new ChunkPublisher(kvs.format(), blockSize, writer, transportEndpoint);
    active.add(chunks);
    // The store may come later: the publisher clears the endpoint with its first write then.
    return chunks.start().recover(e -> Future.succeededFuture());
  }

  private static Redis redis(Vertx vertx, PublishingSettings.KvsTarget kvs) {
    RedisOptions options = new RedisOptions().setMaxPoolSize(4).setMaxPoolWaiting(1024)
        .setType(kvs.redisHosts().size() > 1 ? RedisClientType.CLUSTER
            : RedisClientType.STANDALONE);
    for (String host : kvs.redisHosts()) {
      options.addConnectionString("redis://" + host);
    }
    if (!kvs.redisPassword().isEmpty()) {
      options.setPassword(kvs.redisPassword());
    }
    return Redis.createClient(vertx, options);
  }

  /**
   * The KV-event endpoint a subscriber connects to ({@code tcp://<advertised ip>:<port>}), or
   * null when events are not published.
   */
  public @Nullable String eventsEndpoint(String advertisedIp) {
    return events == null ? null : "tcp://" + advertisedIp + ":" + events.publisher().port();
  }

  /** The KV-event replay endpoint a subscriber connects to, or null. */
  public @Nullable String replayEndpoint(String advertisedIp) {
    return events == null || events.publisher().replayEndpoint() == null ? null
        : "tcp://" + advertisedIp + ":" + events.publisher().replayPort();
  }

  @Override
  public void stored(long[] hashes, int from, int to, int blockSize, TokenSource tokens) {
    for (int i = 0; i < active.size(); i++) {
      active.get(i).stored(hashes, from, to, blockSize, tokens);
    }
  }

  @Override
  public void removed(long hash) {
    for (int i = 0; i < active.size(); i++) {
      active.get(i).removed(hash);
    }
  }

  @Override
  public void stepPlanned() {
    for (int i = 0; i < active.size(); i++) {
      active.get(i).stepPlanned();
    }
  }

  /** Stops publishing: the KV store forgets the engine's chunks, the ZMQ sockets close. */
  public Future<Void> close() {
    active.clear();
    if (events != null) {
      events.publisher().close();
    }
    return chunks == null ? Future.succeededFuture() : chunks.close();
  }
}
