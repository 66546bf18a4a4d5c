package io.llumnix.scheduler.rescheduling;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.time.Clock;
import io.llumnix.scheduler.cms.CmsInstance;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.cms.FullModePolicies.CmsMetric;
import io.llumnix.scheduler.cms.FullModePolicies.Failover;
import io.llumnix.scheduler.cms.FullModePolicies.FailoverDomain;
import io.llumnix.scheduler.cms.FullModePolicies.Fresh;
import io.llumnix.scheduler.cms.FullModePolicies.Schedulable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses a round's migrations from the instances of a CMS view, by the reference's rules.
 * Pure: it reads the instances and returns pairs; nothing is sent.
 *
 * <p>Design notes. Every instance, of every type, is judged once per round: failed means
 * unschedulable or stale (as the dispatch filters say), and the failover set is every instance
 * in a failed one's failure domain ({@code --failover-domain}), across types, as the
 * reference's filters see the whole cluster. Then each policy in turn:
 *
 * <ul>
 *   <li>load ({@code decode_load}, {@code neutral_load}): candidates are of the type, not
 *       failed, outside the failover set; with a threshold (> 0, cluster scope) sources are at
 *       or above it and destinations below. Sources sorted by load descending, destinations
 *       ascending (ties by id); source i goes to destination i while the destination's load is
 *       lower; a pair whose difference is under {@code --rescheduling-load-balance-threshold}
 *       (> 0) is dropped. Unit scope pairs only within a {@code unit_id} (instances without one
 *       are left out), units in id order.
 *   <li>failover ({@code <type>_failover}): sources are the type's instances in the failover
 *       set, destinations the type's healthy ones outside it, both by id; source i goes to
 *       destination {@code i mod n}.
 * </ul>
 *
 * A pair that reverses one accepted earlier in the round (A→B after B→A) is dropped, so two
 * policies never move requests both ways between two instances at once. Not thread-safe; runs
 * on the view's event loop.
 */
public final class PairSelection {

  /** An instance and its load by the policy's metric. */
  private record Loaded(CmsInstance instance, double load) {
    String id() {
      return instance.id();
    }
  }

  private static final Comparator<Loaded> MOST_LOADED_FIRST =
      Comparator.comparingDouble(Loaded::load).reversed().thenComparing(Loaded::id);
  private static final Comparator<Loaded> LEAST_LOADED_FIRST =
      Comparator.comparingDouble(Loaded::load).thenComparing(Loaded::id);

  private final ReschedulingConfig config;
  private final Schedulable schedulable = new Schedulable();
  private final Fresh fresh;
  private final Failover failover;
  private final Map<InferType, CmsMetric> metrics = new EnumMap<>(InferType.class);

  /**
   * @param stalenessSeconds {@code --instance-staleness-seconds}, as dispatch uses it
   * @param domain {@code --failover-domain}, as dispatch uses it
   */
  public PairSelection(ReschedulingConfig config, long stalenessSeconds, FailoverDomain domain,
      Clock clock) {
    this.config = config;
    this.fresh = new Fresh(stalenessSeconds, clock);
    this.failover = new Failover(domain);
    for (InferType type : InferType.values()) {
      metrics.put(type, loadMetric(type, config.loadMetrics().getOrDefault(type,
          ReschedulingConfig.DEFAULT_LOAD_METRIC)));
    }
  }

  /**
   * The load metric named {@code name} for {@code type}'s policies.
   *
   * @throws IllegalArgumentException for a name that is no load metric (the per-request
   *     cache-aware ones are not: a round has no request); the reference silently falls back
   */
  static CmsMetric loadMetric(InferType type, String name) {
    for (CmsMetric metric : CmsMetric.values()) {
      if (metric.metricName().equals(name) && metric != CmsMetric.KV_CACHE_HIT_LEN
          && metric != CmsMetric.CACHE_AWARE_ALL_PREFILLS_TOKENS_NUM) {
        return metric;
      }
    }
    throw new IllegalArgumentException("--rescheduling-" + type.label() + "-load-metric: "
        + name + " (expected one of: kv_cache_usage_ratio_projected, decode_batch_size, "
        + "num_waiting_requests, all_prefills_tokens_num, all_decodes_tokens_num, "
        + "num_requests)");
  }

  /** The round's pairs over every instance of {@code view}. */
  public List<MigrationPair> select(CmsView view) {
    List<CmsInstance> all = new ArrayList<>();
    for (InferType type : InferType.values()) {
      all.addAll(view.instances(type));
    }
    return select(all);
  }

  /** The round's pairs over {@code all}, the cluster's instances. */
  public List<MigrationPair> select(List<CmsInstance> all) {
    int n = all.size();
    boolean[] failed = new boolean[n];
    fresh.prepare();
    for (int i = 0; i < n; i++) {
      CmsInstance instance = all.get(i);
      failed[i] = !schedulable.accept(instance) || !fresh.accept(instance);
    }
    boolean[] failingOver = failoverSet(all, failed);
    List<MigrationPair> accepted = new ArrayList<>();
    for (ReschedulingPolicy policy : config.policies()) {
      List<MigrationPair> chosen = policy.load()
          ? loadPairs(policy, all, failed, failingOver)
          : failoverPairs(policy, all, failed, failingOver);
      for (MigrationPair pair : chosen) {
        if (accepted.stream().noneMatch(pair::reverses)) {
          accepted.add(pair);
        }
      }
    }
    return accepted;
  }

  /** Which instances are in a failed instance's failure domain (the failed ones included). */
  private boolean[] failoverSet(List<CmsInstance> all, boolean[] failed) {
    int n = all.size();
    int[] passing = new int[n];
    for (int i = 0; i < n; i++) {
      passing[i] = i;
    }
    int kept = failover.filter(all, failed, passing, n);
    boolean[] in = new boolean[n];
    Arrays.fill(in, true);
    for (int i = 0; i < kept; i++) {
      in[passing[i]] = false;
    }
    return in;
  }

  private List<MigrationPair> loadPairs(ReschedulingPolicy policy, List<CmsInstance> all,
      boolean[] failed, boolean[] failingOver) {
    CmsMetric metric = metrics.get(policy.type());
    double threshold = config.loadThresholds().getOrDefault(policy.type(), 0.0);
    // Within a unit load is balanced whatever its level, so unit scope has no threshold.
    boolean thresholded = threshold > 0 && config.scope() == ReschedulingConfig.Scope.CLUSTER;
    List<Loaded> sources = new ArrayList<>();
    List<Loaded> destinations = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      CmsInstance instance = all.get(i);
      if (instance.inferType() != policy.type() || failed[i] || failingOver[i]) {
        continue;
      }
      Loaded loaded = new Loaded(instance, metric.value(instance));
      boolean below = loaded.load() < threshold;
      if (!thresholded || !below) {
        sources.add(loaded);
      }
      if (!thresholded || below) {
        destinations.add(loaded);
      }
    }
    if (config.scope() == ReschedulingConfig.Scope.CLUSTER) {
      return pairByLoad(policy, sources, destinations);
    }
    Map<String, List<Loaded>> sourcesByUnit = byUnit(sources);
    Map<String, List<Loaded>> destinationsByUnit = byUnit(destinations);
    List<MigrationPair> pairs = new ArrayList<>();
    sourcesByUnit.forEach((unit, unitSources) -> {
      List<Loaded> unitDestinations = destinationsByUnit.get(unit);
      if (unitDestinations != null) {
        pairs.addAll(pairByLoad(policy, unitSources, unitDestinations));
      }
    });
    return pairs;
  }

  private static Map<String, List<Loaded>> byUnit(List<Loaded> instances) {
    Map<String, List<Loaded>> units = new TreeMap<>();
    for (Loaded loaded : instances) {
      String unit = loaded.instance().metadata().getUnitId();
      if (!unit.isEmpty()) {
        units.computeIfAbsent(unit, u -> new ArrayList<>()).add(loaded);
      }
    }
    return units;
  }

  /** Most loaded source to least loaded destination, while the destination is less loaded. */
  private List<MigrationPair> pairByLoad(ReschedulingPolicy policy, List<Loaded> sources,
      List<Loaded> destinations) {
    sources.sort(MOST_LOADED_FIRST);
    destinations.sort(LEAST_LOADED_FIRST);
    double minDifference = config.loadBalanceThreshold();
    List<MigrationPair> pairs = new ArrayList<>();
    for (int i = 0; i < Math.min(sources.size(), destinations.size()); i++) {
      Loaded src = sources.get(i);
      Loaded dst = destinations.get(i);
      if (!(dst.load() < src.load())) {
        break; // the lists have crossed: every later pair would move load upwards
      }
      // In float, as the reference compares: 0.9 - 0.2 must reach a threshold of 0.7.
      if (minDifference > 0 && (float) src.load() - (float) dst.load() < (float) minDifference) {
        continue;
      }
      pairs.add(new MigrationPair(policy, src.instance().metadata(), dst.instance().metadata(),
          config.loadSelection()));
    }
    return pairs;
  }

  private static List<MigrationPair> failoverPairs(ReschedulingPolicy policy,
      List<CmsInstance> all, boolean[] failed, boolean[] failingOver) {
    // The view lists each type by id, so both lists are in id order.
    List<CmsInstance> sources = new ArrayList<>();
    List<CmsInstance> destinations = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      CmsInstance instance = all.get(i);
      if (instance.inferType() != policy.type()) {
        continue;
      }
      if (failingOver[i]) {
        sources.add(instance);
      } else if (!failed[i]) {
        destinations.add(instance);
      }
    }
    sources.sort(Comparator.comparing(CmsInstance::id));
    destinations.sort(Comparator.comparing(CmsInstance::id));
    List<MigrationPair> pairs = new ArrayList<>();
    for (int i = 0; i < sources.size() && !destinations.isEmpty(); i++) {
      CmsInstance src = sources.get(i);
      CmsInstance dst = destinations.get(i % destinations.size());
      if (!src.id().equals(dst.id())) {
        pairs.add(new MigrationPair(policy, src.metadata(), dst.metadata(),
            RequestSelection.FAILOVER));
      }
    }
    return pairs;
  }
}
