package io.llumnix.enginesim.cache;

import io.llumnix.kvs.events.KvEventsConfig;
import io.llumnix.kvs.hash.KvsKeyFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an engine tells the outside about its prefix cache.
 *
 * @param kvEvents vLLM's {@code --kv-events-config}: publish KV-cache events over ZMQ; null for
 *     none
 * @param kvs the KV store whose metadata lists the engine's cached chunks; null for none
 */
public record PublishingSettings(@Nullable KvEventsConfig kvEvents, @Nullable KvsTarget kvs) {

  /** Publishes nothing. */
  public static final PublishingSettings NONE = new PublishingSettings(null, null);

  /** Whether anything is published. */
  public boolean any() {
    return (kvEvents != null && kvEvents.publishesOverZmq()) || kvs != null;
  }

  /**
   * A KV store's metadata service.
   *
   * @param backend {@code mooncake} (HTTP on host:port) or {@code v6d} (Redis nodes)
   * @param redisHosts v6d: {@code host:port} of the nodes (several: a Redis Cluster)
   * @param format the chunk keys, as the scheduler's {@code --kvs-*} flags name them
   */
  public record KvsTarget(String backend, String host, int port, List<String> redisHosts,
      String redisPassword, KvsKeyFormat format) {
    public KvsTarget {
      redisHosts = List.copyOf(redisHosts);
      if (!backend.equals("mooncake") && !backend.equals("v6d")) {
        throw new IllegalArgumentException(
            "--kvs-backend: " + backend + " (expected: mooncake or v6d)");
      }
      if (backend.equals("v6d") && redisHosts.isEmpty()) {
        throw new IllegalArgumentException(
            "--kvs-backend v6d needs --kvs-metadata-service-redis-cluster-hosts");
      }
    }
  }
}
