package io.llumnix.scheduler.policy;

import io.llumnix.core.instance.InferType;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a policy is built from: the reference's dispatch flags.
 *
 * @param topK {@code --dispatch-top-k}
 * @param loadMetrics {@code --dispatch-<type>-load-metric} per infer type
 * @param loadThresholds {@code --dispatch-<type>-load-threshold} per infer type
 * @param seed seeds random choices, so a run can be repeated
 * @param stalenessSeconds full mode: {@code --instance-staleness-seconds}
 * @param failoverDomain full mode: {@code --failover-domain}
 * @param cacheLocalityMetric full mode with cache-aware scheduling:
 *     {@code --dispatch-prefill-cache-locality-metric}, ranked first for prefill and neutral
 *     choices; empty without cache-aware scheduling
 */
public record PolicyConfig(int topK, Map<InferType, String> loadMetrics,
    Map<InferType, Double> loadThresholds, long seed, long stalenessSeconds,
    String failoverDomain, String cacheLocalityMetric) {

  /** {@value} */
  public static final int DEFAULT_TOP_K = 1;
  /** {@value}: the neutral type's metric, also the reference's flag default. */
  public static final String DEFAULT_NEUTRAL_METRIC = "all_prefills_tokens_num";
  public static final String DEFAULT_PREFILL_METRIC = "all_prefills_tokens_num";
  public static final String DEFAULT_DECODE_METRIC = "kv_cache_usage_ratio_projected";
  public static final double DEFAULT_NEUTRAL_THRESHOLD = 8192;
  public static final double DEFAULT_PREFILL_THRESHOLD = 2048;
  public static final double DEFAULT_DECODE_THRESHOLD = 1.0;
  /** {@value} */
  public static final long DEFAULT_STALENESS_SECONDS = 60;
  /** {@value} */
  public static final String DEFAULT_FAILOVER_DOMAIN = "instance-unit";

  public PolicyConfig {
    loadMetrics = Map.copyOf(loadMetrics);
    loadThresholds = Map.copyOf(loadThresholds);
    if (topK < 1) {
      throw new IllegalArgumentException("--dispatch-top-k: " + topK + " (expected: >= 1)");
    }
  }

  /** The same policy ranking prefill and neutral choices by {@code metric} first. */
  public PolicyConfig withCacheLocalityMetric(String metric) {
    return new PolicyConfig(topK, loadMetrics, loadThresholds, seed, stalenessSeconds,
        failoverDomain, metric);
  }

  /** A builder with the reference's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The reference's defaults; lite mode reads the metric names as {@code num_tokens}. */
  public static PolicyConfig defaults() {
    return builder().build();
  }

  /** The defaults with every type's metric {@code num_requests} (lite mode's count). */
  public static PolicyConfig liteDefaults() {
    return liteBuilder().build();
  }

  /** A builder with {@link #liteDefaults()}, for what else a caller sets. */
  public static Builder liteBuilder() {
    return builder().loadMetric(InferType.NEUTRAL, "num_requests")
        .loadMetric(InferType.PREFILL, "num_requests")
        .loadMetric(InferType.DECODE, "num_requests");
  }

  /** Builds a {@link PolicyConfig}; unset values are the reference's defaults. */
  public static final class Builder {
    private int topK = DEFAULT_TOP_K;
    private final Map<InferType, String> metrics = new EnumMap<>(Map.of(
        InferType.NEUTRAL, DEFAULT_NEUTRAL_METRIC, InferType.PREFILL, DEFAULT_PREFILL_METRIC,
        InferType.DECODE, DEFAULT_DECODE_METRIC));
    private final Map<InferType, Double> thresholds = new EnumMap<>(Map.of(
        InferType.NEUTRAL, DEFAULT_NEUTRAL_THRESHOLD,
        InferType.PREFILL, DEFAULT_PREFILL_THRESHOLD,
        InferType.DECODE, DEFAULT_DECODE_THRESHOLD));
    private long seed;
    private long stalenessSeconds = DEFAULT_STALENESS_SECONDS;
    private String failoverDomain = DEFAULT_FAILOVER_DOMAIN;
    private String cacheLocalityMetric = "";

    private Builder() {}

    public Builder topK(int topK) {
      this.topK = topK;
      return this;
    }

    public Builder loadMetric(InferType type, String metric) {
      metrics.put(type, metric);
      return this;
    }

    public Builder loadThreshold(InferType type, double threshold) {
      thresholds.put(type, threshold);
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder stalenessSeconds(long seconds) {
      this.stalenessSeconds = seconds;
      return this;
    }

    public Builder failoverDomain(String domain) {
      this.failoverDomain = domain;
      return this;
    }

    /** Empty for none (cache-aware scheduling off). */
    public Builder cacheLocalityMetric(String metric) {
      this.cacheLocalityMetric = metric;
      return this;
    }

    public PolicyConfig build() {
      return new PolicyConfig(topK, metrics, thresholds, seed, stalenessSeconds,
          failoverDomain, cacheLocalityMetric);
    }
  }
}
