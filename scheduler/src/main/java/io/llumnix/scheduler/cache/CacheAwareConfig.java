package io.llumnix.scheduler.cache;

import io.llumnix.kvs.hash.KvsHashAlgo;
import io.llumnix.kvs.hash.KvsKeyFormat;
import java.util.List;

/**
 * Cache-aware scheduling's flags, resolved (the reference's names; defaults are its defaults).
 *
 * @param enabled {@code --enable-cache-aware-scheduling} (full mode only)
 * @param minTokens {@code --cache-aware-scheduling-min-tokens}: shorter prompts are not looked up
 * @param backend {@code --kvs-backend}
 * @param keyFormat {@code --kvs-hash-algo}, {@code --kvs-chunk-size},
 *     {@code --kvs-enable-save-unfull-chunk}, {@code --kvs-hash-seed} (default: the environment's
 *     {@code GO_HASH_SEED}, else {@code 0}), {@code --kvs-iris-meta-prefix},
 *     {@code --kvs-vllm-block-prefix}
 * @param mooncakeHost {@code --kvs-metadata-service-http-server-host}
 * @param mooncakePort {@code --kvs-metadata-service-http-server-port}
 * @param v6d Vineyard's Redis: {@code --kvs-metadata-service-redis-cluster-hosts} and
 *     {@code -password}, or {@code --kvs-metadata-service-config-path}
 * @param kvEvents where instances publish their vLLM KV-cache events
 * @param retryTimes {@code --kvs-retry-times}: attempts of one lookup
 * @param retryIntervalMillis {@code --kvs-retry-interval-ms}: pause between attempts
 * @param downSeconds {@code --kvs-metadata-service-down-duration-s}: how long lookups are
 *     skipped once every attempt failed
 * @param localityMetric {@code --dispatch-prefill-cache-locality-metric}: put first in the
 *     prefill and neutral selectors
 */
public record CacheAwareConfig(boolean enabled, int minTokens, KvsBackend backend,
    KvsKeyFormat keyFormat, String mooncakeHost, int mooncakePort, V6dSettings v6d,
    KvEventsSettings kvEvents, int retryTimes, long retryIntervalMillis, long downSeconds,
    String localityMetric) {

  /** {@value} */
  public static final int DEFAULT_MIN_TOKENS = 1024;
  /** {@value} */
  public static final int DEFAULT_RETRY_TIMES = 5;
  /** {@value} */
  public static final long DEFAULT_RETRY_INTERVAL_MILLIS = 100;
  /** {@value} */
  public static final long DEFAULT_DOWN_SECONDS = 30;
  /** {@value} */
  public static final String DEFAULT_LOCALITY_METRIC = "cache_aware_all_prefills_tokens_num";

  public CacheAwareConfig {
    if (retryTimes < 1) {
      throw new IllegalArgumentException("--kvs-retry-times: " + retryTimes + " (expected: >= 1)");
    }
    if (mooncakePort < 0 || mooncakePort > 65535) {
      throw new IllegalArgumentException(
          "--kvs-metadata-service-http-server-port: " + mooncakePort + " (expected: 0-65535)");
    }
  }

  /** The same, looking up in the Mooncake-compatible service on {@code host:port}. */
  public CacheAwareConfig withMooncake(String host, int port) {
    return new CacheAwareConfig(enabled, minTokens, backend, keyFormat, host, port, v6d,
        kvEvents, retryTimes, retryIntervalMillis, downSeconds, localityMetric);
  }

  /** The same, looking up in Vineyard's Redis {@code v6d}. */
  public CacheAwareConfig withV6d(V6dSettings v6d) {
    return new CacheAwareConfig(enabled, minTokens, backend, keyFormat, mooncakeHost,
        mooncakePort, v6d, kvEvents, retryTimes, retryIntervalMillis, downSeconds,
        localityMetric);
  }

  /** Cache-aware scheduling off. */
  public static CacheAwareConfig disabled() {
    return builder().build();
  }

  /**
   * The key format the backend's store uses: Vineyard's keys are always {@code xxhash}, as the
   * reference forces.
   */
  public KvsKeyFormat effectiveKeyFormat() {
    if (backend != KvsBackend.V6D || keyFormat.algo() == KvsHashAlgo.XXHASH) {
      return keyFormat;
    }
    return new KvsKeyFormat(KvsHashAlgo.XXHASH, keyFormat.chunkSize(),
        keyFormat.saveUnfullChunk(), keyFormat.hashSeed(), keyFormat.irisMetaPrefix(),
        keyFormat.vllmBlockPrefix());
  }

  /**
   * Vineyard's metadata Redis.
   *
   * @param hosts {@code host:port} of the nodes; more than one means a Redis Cluster
   * @param maxBatchSize keys per pipelined batch (500)
   * @param maxConcurrentBatches batches in flight at once (10)
   * @param queryTimeoutMillis one lookup's limit
   */
  public record V6dSettings(List<String> hosts, String password, int maxBatchSize,
      int maxConcurrentBatches, long queryTimeoutMillis) {
    public static final V6dSettings DEFAULT = new V6dSettings(List.of(), "", 500, 10, 3000);

    public V6dSettings {
      hosts = List.copyOf(hosts);
      if (maxBatchSize < 1 || maxConcurrentBatches < 1) {
        throw new IllegalArgumentException("v6d max_batch_size and max_concurrent_routines "
            + "must be >= 1: " + maxBatchSize + ", " + maxConcurrentBatches);
      }
    }
  }

  /**
   * How to reach an instance's KV-event publisher when its CMS metadata does not say: vLLM's
   * {@code --kv-events-config} endpoint port on the instance's IP, offset by its data-parallel
   * rank as vLLM offsets it.
   *
   * @param port {@code --kv-events-port} (vLLM's default endpoint port)
   * @param replayPort {@code --kv-events-replay-port}; 0 when publishers have no replay socket
   * @param topic {@code --kv-events-topic}: the topic prefix subscribed to
   */
  public record KvEventsSettings(int port, int replayPort, String topic) {
    public static final KvEventsSettings DEFAULT = new KvEventsSettings(5557, 0, "");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link CacheAwareConfig}; unset values are the defaults. */
  public static final class Builder {
    private boolean enabled;
    private int minTokens = DEFAULT_MIN_TOKENS;
    private KvsBackend backend = KvsBackend.MOONCAKE;
    private KvsKeyFormat keyFormat = new KvsKeyFormat(KvsHashAlgo.SHA256_CBOR,
        KvsKeyFormat.DEFAULT_CHUNK_SIZE, false, KvsKeyFormat.DEFAULT_HASH_SEED,
        KvsKeyFormat.DEFAULT_IRIS_META_PREFIX, KvsKeyFormat.DEFAULT_VLLM_BLOCK_PREFIX);
    private String mooncakeHost = "0.0.0.0";
    private int mooncakePort = 9003;
    private V6dSettings v6d = V6dSettings.DEFAULT;
    private KvEventsSettings kvEvents = KvEventsSettings.DEFAULT;
    private int retryTimes = DEFAULT_RETRY_TIMES;
    private long retryIntervalMillis = DEFAULT_RETRY_INTERVAL_MILLIS;
    private long downSeconds = DEFAULT_DOWN_SECONDS;
    private String localityMetric = DEFAULT_LOCALITY_METRIC;

    private Builder() {}

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder minTokens(int minTokens) {
      this.minTokens = minTokens;
      return this;
    }

    public Builder backend(KvsBackend backend) {
      this.backend = backend;
      return this;
    }

    public Builder keyFormat(KvsKeyFormat keyFormat) {
      this.keyFormat = keyFormat;
      return this;
    }

    public Builder mooncake(String host, int port) {
      this.mooncakeHost = host;
      this.mooncakePort = port;
      return this;
    }

    public Builder v6d(V6dSettings v6d) {
      this.v6d = v6d;
      return this;
    }

    public Builder kvEvents(KvEventsSettings kvEvents) {
      this.kvEvents = kvEvents;
      return this;
    }

    public Builder retry(int times, long intervalMillis) {
      this.retryTimes = times;
      this.retryIntervalMillis = intervalMillis;
      return this;
    }

    public Builder downSeconds(long seconds) {
      this.downSeconds = seconds;
      return this;
    }

    public Builder localityMetric(String metric) {
      this.localityMetric = metric;
      return this;
    }

    public CacheAwareConfig build() {
      return new CacheAwareConfig(enabled, minTokens, backend, keyFormat, mooncakeHost,
          mooncakePort, v6d, kvEvents, retryTimes, retryIntervalMillis, downSeconds,
          localityMetric);
    }
  }
}
