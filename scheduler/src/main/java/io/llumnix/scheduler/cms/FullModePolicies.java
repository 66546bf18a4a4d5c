package io.llumnix.scheduler.cms;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.time.Clock;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.Filter;
import io.llumnix.scheduler.policy.GlobalFilter;
import io.llumnix.scheduler.policy.Metric;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.llumnix.scheduler.policy.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Full mode's metrics, filters and the policies built from them: load-balance and flood. */
public final class FullModePolicies {

  private FullModePolicies() {}

  /** The scheduling metrics over a {@link CmsInstance}; lower is better. */
  public enum CmsMetric implements Metric<CmsInstance> {
    KV_CACHE_USAGE_RATIO_PROJECTED,
    DECODE_BATCH_SIZE,
    NUM_WAITING_REQUESTS,
    ALL_PREFILLS_TOKENS_NUM,
    ALL_DECODES_TOKENS_NUM,
    NUM_REQUESTS,
    /** Cache-aware: the current prompt's cached tokens, negated so that lower is better. */
    KV_CACHE_HIT_LEN,
    /** Cache-aware: the current prompt's missed tokens plus all prefill tokens queued. */
    CACHE_AWARE_ALL_PREFILLS_TOKENS_NUM;

    @Override
    public String metricName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A switch, not a function per constant: this runs for every candidate of every decision,
     * and one call site shared by eight lambdas cannot be inlined.
     */
    @Override
    public double value(CmsInstance instance) {
      return switch (this) {
        case KV_CACHE_USAGE_RATIO_PROJECTED -> instance.kvCacheUsageRatioProjected();
        case DECODE_BATCH_SIZE -> instance.decodeBatchSize();
        case NUM_WAITING_REQUESTS -> instance.numWaitingRequests();
        case ALL_PREFILLS_TOKENS_NUM -> instance.allPrefillsTokensNum();
        case ALL_DECODES_TOKENS_NUM -> instance.allDecodesTokensNum();
        case NUM_REQUESTS -> instance.numRequests();
        case KV_CACHE_HIT_LEN -> -instance.kvCacheHitLen();
        case CACHE_AWARE_ALL_PREFILLS_TOKENS_NUM -> instance.cacheAwareAllPrefillsTokensNum();
      };
    }

    /**
     * The metric named {@code name}; an unknown name gives the type's default, as the
     * reference does: {@code all_prefills_tokens_num} for prefill, else
     * {@code kv_cache_usage_ratio_projected}. (Cache-aware metrics are named by
     * {@code --dispatch-prefill-cache-locality-metric}; as a load metric they would filter on
     * a per-request figure.)
     */
    public static CmsMetric named(String name, InferType type) {
      for (CmsMetric metric : values()) {
        if (metric.metricName().equals(name)) {
          return metric;
        }
      }
      return type == InferType.PREFILL ? ALL_PREFILLS_TOKENS_NUM : KV_CACHE_USAGE_RATIO_PROJECTED;
    }

    /**
     * The cache-locality metric named {@code name}
     * ({@code --dispatch-prefill-cache-locality-metric}): {@code
     * cache_aware_all_prefills_tokens_num} or {@code kv_cache_hit_len}.
     */
    public static CmsMetric locality(String name) {
      for (CmsMetric metric : List.of(CACHE_AWARE_ALL_PREFILLS_TOKENS_NUM, KV_CACHE_HIT_LEN)) {
        if (metric.metricName().equals(name)) {
          return metric;
        }
      }
      throw new IllegalArgumentException("--dispatch-prefill-cache-locality-metric: " + name
          + " (expected: cache_aware_all_prefills_tokens_num or kv_cache_hit_len)");
    }
  }

  /** Rejects an instance whose status says it cannot take requests: it failed. */
  public record Schedulable() implements Filter<CmsInstance> {
    @Override
    public boolean accept(CmsInstance instance) {
      return instance.schedulable();
    }

    @Override
    public boolean rejectionIsFailure() {
      return true;
    }
  }

  /**
   * Rejects an instance whose status is older than {@code stalenessSeconds} (whole seconds, as
   * the reference compares: {@code floor(age / 1 s) <= stalenessSeconds}), or that never
   * reported one: it failed. Reads the clock once per pass ({@link #prepare}), and turns the
   * bound into the oldest timestamp accepted: reading the clock per instance was a third of a
   * decision's time at a thousand instances, and a division per instance, at a hundred, more
   * than half of what was left.
   */
  public static final class Fresh implements Filter<CmsInstance> {
    /** Beyond 31,700 years either way a bound changes nothing, and the sums cannot overflow. */
    private static final long BOUND_SECONDS = 1_000_000_000_000L;

    private final long stalenessSeconds;
    private final Clock clock;
    /** {@code floor(age / 1000) <= s} is {@code age < windowMillis}, {@code 1000 (s + 1)}. */
    private final long windowMillis;
    private long tooOldMillis;

    public Fresh(long stalenessSeconds, Clock clock) {
      this.stalenessSeconds = stalenessSeconds;
      this.clock = clock;
      long bounded = Math.max(-BOUND_SECONDS, Math.min(BOUND_SECONDS, stalenessSeconds));
      this.windowMillis = (bounded + 1) * 1000;
    }

    @Override
    public void prepare() {
      tooOldMillis = clock.epochMillis() - windowMillis;
    }

    @Override
    public boolean accept(CmsInstance instance) {
      // Long.MIN_VALUE (never reported) is never above tooOldMillis.
      return instance.statusTimestampMs() > tooOldMillis;
    }

    @Override
    public boolean rejectionIsFailure() {
      return true;
    }

    @Override
    public String toString() {
      return "Fresh[stalenessSeconds=" + stalenessSeconds + "]";
    }
  }

  /** How far a failed instance's exclusion reaches ({@code --failover-domain}). */
  public enum FailoverDomain {
    /** Only the failed instance. */
    INSTANCE,
    /** Every instance on the failed instance's node. */
    NODE,
    /** The failed instance's data-parallel unit, when instances are data-parallel. */
    INSTANCE_UNIT,
    /** The node set, then the units. */
    NODE_UNIT;

    /** The flag value, e.g. {@code instance-unit}. */
    public static FailoverDomain of(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--failover-domain: " + name
            + " (expected one of: instance, node, instance-unit, node-unit)", e);
      }
    }
  }

  /**
   * Drops, from those that passed, the instances that share the failure domain of an instance
   * a failure filter (schedulability, staleness) rejected.
   */
  public record Failover(FailoverDomain domain) implements GlobalFilter<CmsInstance> {
    @Override
    public int filter(List<CmsInstance> candidates, boolean[] failed, int[] passing,
        int count) {
      Set<String> nodes = null; // made at the first failure: most dispatches see none
      Set<String> units = null;
      boolean dataParallel = !candidates.isEmpty()
          && candidates.get(0).metadata().getDataParallelSize() > 1;
      for (int i = 0; i < candidates.size(); i++) {
        if (failed[i]) {
          if (nodes == null) {
            nodes = new HashSet<>();
            units = new HashSet<>();
          }
          CmsInstance instance = candidates.get(i);
          nodes.add(instance.metadata().getNodeId());
          units.add(dataParallel ? instance.metadata().getUnitId() : instance.id());
        }
      }
      if (nodes == null) {
        return count;
      }
      int kept = 0;
      for (int i = 0; i < count; i++) {
        int index = passing[i];
        CmsInstance instance = candidates.get(index);
        String unit = dataParallel ? instance.metadata().getUnitId() : instance.id();
        boolean excluded = switch (domain) {
          case INSTANCE -> failed[index];
          case NODE -> nodes.contains(instance.metadata().getNodeId());
          case INSTANCE_UNIT -> units.contains(unit);
          case NODE_UNIT -> nodes.contains(instance.metadata().getNodeId())
              || units.contains(unit);
        };
        if (!excluded) {
          passing[kept++] = index;
        }
      }
      return kept;
    }
  }

  /**
   * Full mode's {@code load-balance}: per type, schedulability, staleness and the type's metric
   * under its threshold (dropped on fallback), then failover; the least loaded by that metric
   * wins, ties going to the fewest requests (or one of the {@code topK} least). With cache-aware
   * scheduling, prefill and neutral choices rank by the cache-locality metric first.
   */
  public static DispatchPolicy<CmsInstance> loadBalance(PolicyConfig config, Clock clock) {
    FailoverDomain domain = FailoverDomain.of(config.failoverDomain());
    return DispatchPolicy.perType("load-balance", type -> {
      CmsMetric metric = CmsMetric.named(config.loadMetrics().getOrDefault(type, ""), type);
      double threshold = config.loadThresholds().getOrDefault(type, Double.MAX_VALUE);
      // Ties on the type's metric (common: every instance whose prefills are done shows 0
      // prefill tokens) go to the instance with the fewest requests, not to hash order as in
      // the reference, so a burst does not herd onto whichever finished its prefills first.
      List<Metric<CmsInstance>> metrics = new ArrayList<>(3);
      if (!config.cacheLocalityMetric().isEmpty() && type != InferType.DECODE) {
        metrics.add(CmsMetric.locality(config.cacheLocalityMetric()));
      }
      metrics.add(metric);
      if (metric != CmsMetric.NUM_REQUESTS) {
        metrics.add(CmsMetric.NUM_REQUESTS);
      }
      return new PolicyProfile<>(metrics,
          List.of(new Schedulable(), new Fresh(config.stalenessSeconds(), clock),
              Filter.metricBelow(metric, threshold)),
          List.of(new Failover(domain)),
          Selector.metricBased(config.topK(), config.seed() + type.ordinal()));
    });
  }

  /**
   * Full mode's {@code flood}: per type, schedulability, staleness and failover, then the
   * instance chosen last for as long as it passes (else the first that does, by id). It
   * ignores load, so one instance takes everything until it fails or goes stale: a workload
   * for testing rescheduling, which moves the excess away.
   */
  public static DispatchPolicy<CmsInstance> flood(PolicyConfig config, Clock clock) {
    FailoverDomain domain = FailoverDomain.of(config.failoverDomain());
    // One selector per type: a type's last choice is never a candidate of another type.
    return DispatchPolicy.perType("flood", type -> new PolicyProfile<CmsInstance>(List.of(),
        List.of(new Schedulable(), new Fresh(config.stalenessSeconds(), clock)),
        List.of(new Failover(domain)), Selector.sticky()));
  }
}
