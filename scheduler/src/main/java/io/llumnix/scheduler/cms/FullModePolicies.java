package io.llumnix.scheduler.cms;

import io.llumnix.core.instance.InferType;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.Filter;
import io.llumnix.scheduler.policy.GlobalFilter;
import io.llumnix.scheduler.policy.InstanceView;
import io.llumnix.scheduler.policy.Metric;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.llumnix.scheduler.policy.Selector;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/** Full mode's metrics, filters and the load-balance policy built from them (llumnix.md §5). */
public final class FullModePolicies {

  private FullModePolicies() {}

  /** The scheduling metrics of §4.1 over a {@link CmsInstance}; lower is better. */
  public enum CmsMetric implements Metric {
    KV_CACHE_USAGE_RATIO_PROJECTED(CmsInstance::kvCacheUsageRatioProjected),
    DECODE_BATCH_SIZE(CmsInstance::decodeBatchSize),
    NUM_WAITING_REQUESTS(CmsInstance::numWaitingRequests),
    ALL_PREFILLS_TOKENS_NUM(CmsInstance::allPrefillsTokensNum),
    ALL_DECODES_TOKENS_NUM(CmsInstance::allDecodesTokensNum),
    NUM_REQUESTS(i -> i.numRequests());

    private final ToDoubleFunction<CmsInstance> value;

    CmsMetric(ToDoubleFunction<CmsInstance> value) {
      this.value = value;
    }

    @Override
    public String metricName() {
      return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public double value(InstanceView instance) {
      return value.applyAsDouble((CmsInstance) instance);
    }

    /**
     * The metric named {@code name}; an unknown name gives the type's default, as the
     * reference does: {@code all_prefills_tokens_num} for prefill, else
     * {@code kv_cache_usage_ratio_projected}.
     */
    public static CmsMetric named(String name, InferType type) {
      for (CmsMetric metric : values()) {
        if (metric.metricName().equals(name)) {
          return metric;
        }
      }
      return type == InferType.PREFILL ? ALL_PREFILLS_TOKENS_NUM : KV_CACHE_USAGE_RATIO_PROJECTED;
    }
  }

  /** Rejects an instance whose status says it cannot take requests; it needs failover. */
  public record Schedulable() implements Filter {
    @Override
    public boolean accept(InstanceView instance) {
      CmsInstance cms = (CmsInstance) instance;
      boolean ok = cms.status().getSchedulable();
      cms.needsFailover |= !ok;
      return ok;
    }
  }

  /**
   * Rejects an instance whose status is older than {@code stalenessSeconds} (whole seconds,
   * as the reference compares); it needs failover.
   */
  public record Fresh(long stalenessSeconds, LongSupplier clockMillis) implements Filter {
    @Override
    public boolean accept(InstanceView instance) {
      CmsInstance cms = (CmsInstance) instance;
      long ageSeconds = Math.floorDiv(clockMillis.getAsLong() - cms.status().getTimestampMs(),
          1000L);
      boolean ok = cms.status().getTimestampMs() != Long.MIN_VALUE
          && ageSeconds <= stalenessSeconds;
      cms.needsFailover |= !ok;
      return ok;
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

    public static FailoverDomain of(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("failover domain: " + name
            + " (expected one of: instance, node, instance-unit, node-unit)", e);
      }
    }
  }

  /**
   * Drops, from those that passed, the instances that share the failure domain of an instance
   * the schedulability or staleness filter rejected.
   */
  public record Failover(FailoverDomain domain) implements GlobalFilter {
    @Override
    public int filter(List<? extends InstanceView> candidates, int[] passing, int count) {
      Set<String> nodes = new HashSet<>();
      Set<String> units = new HashSet<>();
      boolean dataParallel = !candidates.isEmpty()
          && ((CmsInstance) candidates.get(0)).metadata().getDataParallelSize() > 1;
      for (InstanceView view : candidates) {
        CmsInstance cms = (CmsInstance) view;
        if (cms.needsFailover) {
          nodes.add(cms.metadata().getNodeId());
          units.add(dataParallel ? cms.metadata().getUnitId() : cms.id());
        }
      }
      if (nodes.isEmpty()) {
        return count;
      }
      int kept = 0;
      for (int i = 0; i < count; i++) {
        CmsInstance cms = (CmsInstance) candidates.get(passing[i]);
        String unit = dataParallel ? cms.metadata().getUnitId() : cms.id();
        boolean excluded = switch (domain) {
          case INSTANCE -> cms.needsFailover;
          case NODE -> nodes.contains(cms.metadata().getNodeId());
          case INSTANCE_UNIT -> units.contains(unit);
          case NODE_UNIT -> nodes.contains(cms.metadata().getNodeId()) || units.contains(unit);
        };
        if (!excluded) {
          passing[kept++] = passing[i];
        }
      }
      return kept;
    }
  }

  /**
   * Full mode's {@code load-balance} (§5): per type, schedulability, staleness and the type's
   * metric under its threshold (dropped on fallback), then failover; the least loaded by that
   * metric wins, ties going to the fewest requests (or one of the {@code topK} least).
   */
  public static DispatchPolicy loadBalance(PolicyConfig config, long stalenessSeconds,
      FailoverDomain domain, LongSupplier clockMillis) {
    Map<InferType, PolicyProfile> profiles = new EnumMap<>(InferType.class);
    for (InferType type : InferType.values()) {
      Metric metric = CmsMetric.named(config.loadMetrics().getOrDefault(type, ""), type);
      double threshold = config.loadThresholds().getOrDefault(type, Double.MAX_VALUE);
      // Ties on the type's metric (common: every instance whose prefills are done shows 0
      // prefill tokens) go to the instance with the fewest requests, not to hash order as in
      // the reference, so a burst does not herd onto whichever finished its prefills first.
      List<Metric> metrics = metric == CmsMetric.NUM_REQUESTS ? List.of(metric)
          : List.of(metric, CmsMetric.NUM_REQUESTS);
      profiles.put(type, new PolicyProfile(metrics,
          List.of(new Schedulable(), new Fresh(stalenessSeconds, clockMillis),
              Filter.metricBelow(metric, threshold)),
          List.of(new Failover(domain)),
          Selector.metricBased(config.topK(), config.seed() + type.ordinal())));
    }
    return new DispatchPolicy("load-balance", profiles);
  }

  /** The reference's full-mode dispatch defaults (§8.7). */
  public static PolicyConfig defaults() {
    return new PolicyConfig(1,
        Map.of(InferType.NEUTRAL, "all_prefills_tokens_num",
            InferType.PREFILL, "all_prefills_tokens_num",
            InferType.DECODE, "kv_cache_usage_ratio_projected"),
        Map.of(InferType.NEUTRAL, 8192.0, InferType.PREFILL, 2048.0, InferType.DECODE, 1.0), 0);
  }
}
