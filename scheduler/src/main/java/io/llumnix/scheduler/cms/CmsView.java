package io.llumnix.scheduler.cms;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.cache.PrefixHits;
import io.llumnix.scheduler.policy.ClusterView;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The cluster as the CMS shows it: which instances exist (from their metadata), their latest
 * accepted status, and the {@link LocalAccount} of dispatches their status does not show yet.
 * Publishes the {@code instance_cms_*} gauges and, per dispatch, the
 * {@code selected_instance_*} histograms. Owned by the scheduler's event loop; not thread-safe.
 */
public final class CmsView implements ClusterView<CmsInstance> {

  private final Map<String, CmsInstance> instances = new HashMap<>();
  private final Map<InferType, List<CmsInstance>> byType = new EnumMap<>(InferType.class);
  private final CmsGauges gauges;
  private final SelectedHistograms selected;
  private final LocalAccount account;
  private final DispatchContext context = new DispatchContext();
  /** KV transport endpoint ({@code ip:port}) to instance, as KV stores name holders. */
  private final Map<String, CmsInstance> byEndpoint = new HashMap<>();
  /** KV IP to instance, for IPs only one instance has (one engine per host). */
  private final Map<String, CmsInstance> byUniqueIp = new HashMap<>();
  private final DistributionDataPoint selectedHitPercent;
  private final DistributionDataPoint maxHitPercent;
  private boolean alive;
  private Consumer<List<InstanceMetadata>> metadataListener = all -> {};

  /**
   * @param localAccount {@code --enable-instance-status-local-account}
   * @param accountStalenessSeconds {@code --request-local-account-staleness-seconds}
   * @param cacheAware {@code --enable-cache-aware-scheduling}: the cached part of the waiting
   *     requests the account knows comes off the statuses' count of waiting prefill tokens
   */
  public CmsView(ComponentMetrics metrics, boolean localAccount, long accountStalenessSeconds,
      boolean cacheAware, Clock clock) {
    this.gauges = new CmsGauges(metrics);
    this.selected = new SelectedHistograms(metrics);
    this.account = new LocalAccount(localAccount, accountStalenessSeconds, cacheAware, clock,
        gauges);
    this.selectedHitPercent =
        metrics.histogram(LlumnixMetrics.REQUEST_PREFIX_CACHE_HIT_PERCENT).labels();
    this.maxHitPercent =
        metrics.histogram(LlumnixMetrics.REQUEST_MAX_PREFIX_CACHE_HIT_PERCENT).labels();
    for (InferType type : InferType.values()) {
      byType.put(type, new ArrayList<>());
    }
  }

  /** The dispatches statuses do not show yet. */
  public LocalAccount account() {
    return account;
  }

  /** {@code listener} hears the instances' metadata after each metadata read. */
  public void onMetadata(Consumer<List<InstanceMetadata>> listener) {
    this.metadataListener = listener;
  }

  /** Records whether the last CMS read succeeded; scheduling refuses while it has not. */
  public void alive(boolean alive) {
    this.alive = alive;
  }

  /** The instances of {@code type}, ordered by id. */
  @Override
  public List<CmsInstance> instances(InferType type) {
    return byType.get(type);
  }

  public @Nullable CmsInstance instance(String id) {
    return instances.get(id);
  }

  /** Ids of every instance, for the status loop. */
  public List<String> ids() {
    return List.copyOf(instances.keySet());
  }

  // ---- what the dispatcher does

  @Override
  public boolean available() {
    return alive;
  }

  /**
   * Makes {@code hits} the current request's prefix hits: every instance's hit length and
   * miss reads from them until the next request.
   */
  @Override
  public void prepare(SchedulingRequest request, @Nullable PrefixHits hits) {
    context.stamp++;
    context.promptTokens = request.promptNumTokens();
    context.lookedUp = hits != null;
    if (hits == null) {
      return;
    }
    int max = 0;
    for (Map.Entry<String, Integer> hit : hits.byHolder().entrySet()) {
      CmsInstance instance = holder(hit.getKey(), hits.holdersAreEndpoints());
      if (instance == null) {
        continue; // an engine the CMS does not list (yet)
      }
      int tokens = Math.min(hit.getValue(), context.promptTokens);
      if (instance.hitStamp == context.stamp) {
        tokens = Math.max(tokens, instance.hitTokens); // two endpoints of one instance
      }
      instance.hitTokens = tokens;
      instance.hitStamp = context.stamp;
      max = Math.max(max, tokens);
    }
    context.maxHit = max;
  }

  private @Nullable CmsInstance holder(String name, boolean endpoint) {
    if (!endpoint) {
      return instances.get(name);
    }
    CmsInstance instance = byEndpoint.get(name);
    if (instance == null) {
      int colon = name.lastIndexOf(':');
      instance = byUniqueIp.get(colon < 0 ? name : name.substring(0, colon));
    }
    return instance;
  }

  private double percent(int tokens) {
    return context.promptTokens <= 0 ? 0 : 100.0 * tokens / context.promptTokens;
  }

  /** Counts the dispatch in the account and observes the chosen instance's metrics. */
  @Override
  public void dispatched(CmsInstance instance, SchedulingRequest request, InferType role) {
    int tokens = request.promptNumTokens();
    int hit = instance.kvCacheHitLen();
    account.add(instance, request.id(), role, tokens, tokens - hit);
    selected.observe(role, instance);
    if (context.lookedUp && role != InferType.DECODE) {
      // Once per dispatched request: a 429 answered (and retried) observes nothing.
      selectedHitPercent.observe(percent(hit));
      maxHitPercent.observe(percent(context.maxHit));
    }
  }

  @Override
  public void prefillWithoutDecode(CmsInstance prefill, SchedulingRequest request) {
    account.revertPrefill(prefill, request.id());
  }

  /** Full mode: the request leaves the local account of every instance. */
  @Override
  public void release(SchedulingRequest request) {
    account.release(request.id());
  }

  // ---- metadata loop

  /** Applies a full metadata read; instances without metadata leave. */
  public void applyMetadata(List<InstanceMetadata> all) {
    applyMetadata(all, false);
  }

  /**
   * Applies a full metadata read: new instances join with the sentinel status, known ones get
   * the new metadata (a changed {@code utc_create} means the engine restarted: its status and
   * account start over), and instances without metadata leave — unless {@code keepMissing}
   * (the CMS just came back from an outage, perhaps empty, and its writers have not yet
   * written again).
   */
  public void applyMetadata(List<InstanceMetadata> all, boolean keepMissing) {
    Set<String> seen = new HashSet<>();
    boolean changed = false;
    for (InstanceMetadata metadata : all) {
      String id = metadata.getInstanceId();
      if (id.isEmpty() || !seen.add(id)) {
        continue;
      }
      CmsInstance known = instances.get(id);
      if (known == null) {
        instances.put(id, new CmsInstance(metadata, context));
        changed = true;
      } else {
        if (known.metadata().getUtcCreate() != metadata.getUtcCreate()) {
          restart(known);
        }
        known.setMetadata(metadata);
      }
    }
    for (Iterator<CmsInstance> it = instances.values().iterator(); it.hasNext(); ) {
      CmsInstance instance = it.next();
      if (!keepMissing && !seen.contains(instance.id())) {
        it.remove();
        drop(instance);
        changed = true;
      }
    }
    if (changed) {
      regroup();
    }
    indexEndpoints();
    List<InstanceMetadata> current = new ArrayList<>(instances.size());
    for (CmsInstance instance : instances.values()) {
      current.add(instance.metadata());
    }
    try {
      metadataListener.accept(current);
    } catch (RuntimeException e) {
      // The view must stay current whatever its listeners do.
      System.getLogger(CmsView.class.getName()).log(System.Logger.Level.WARNING,
          "a metadata listener failed: " + e, e);
    }
  }

  /** Transport endpoints and IPs to instances, for KV stores that name holders by them. */
  private void indexEndpoints() {
    byEndpoint.clear();
    byUniqueIp.clear();
    Set<String> shared = new HashSet<>();
    for (CmsInstance instance : instances.values()) {
      InstanceMetadata m = instance.metadata();
      for (String ip : new String[] {m.getIpKvs(), m.getIpKvt()}) {
        if (ip.isEmpty()) {
          continue;
        }
        byEndpoint.put(ip + ":" + m.getKvtPort(), instance);
        CmsInstance other = byUniqueIp.putIfAbsent(ip, instance);
        if (other != null && other != instance) {
          shared.add(ip);
        }
      }
    }
    byUniqueIp.keySet().removeAll(shared);
  }

  /** An instance whose status is gone (expired or deleted) leaves the view. */
  public void remove(String id) {
    CmsInstance instance = instances.remove(id);
    if (instance != null) {
      drop(instance);
      regroup();
      indexEndpoints();
    }
  }

  private void regroup() {
    for (List<CmsInstance> list : byType.values()) {
      list.clear();
    }
    for (CmsInstance instance : instances.values()) {
      byType.get(instance.inferType()).add(instance);
    }
    for (List<CmsInstance> list : byType.values()) {
      list.sort(Comparator.comparing(CmsInstance::id));
    }
  }

  private void drop(CmsInstance instance) {
    account.forget(instance);
    gauges.remove(instance);
  }

  private void restart(CmsInstance instance) {
    instance.status(CmsInstance.SENTINEL);
    account.forget(instance);
  }

  // ---- status loop

  /** What {@link #acceptStatus} did with a status. */
  public enum Acceptance { UNKNOWN_INSTANCE, IGNORED_OLD, TIMESTAMP_ONLY, REPLACED, RESTARTED }

  /**
   * Applies a status read from the CMS, by the reference's rules: not newer than the stored one
   * ⇒ ignored; newer but with no newer {@code update_id} ⇒ only its timestamp and
   * schedulability are taken; else it replaces the stored status and reconciles the account.
   * One exception (deliberately unlike the reference): when both {@code update_id} and
   * {@code step_id} went back, the engine restarted under the same id, and its status is taken
   * as the new start.
   */
  public Acceptance acceptStatus(InstanceStatus status) {
    CmsInstance instance = instances.get(status.getInstanceId());
    if (instance == null) {
      return Acceptance.UNKNOWN_INSTANCE;
    }
    InstanceStatus stored = instance.status();
    if (status.getTimestampMs() <= stored.getTimestampMs()) {
      return Acceptance.IGNORED_OLD;
    }
    Acceptance result;
    if (status.getUpdateId() > stored.getUpdateId()) {
      result = Acceptance.REPLACED;
    } else if (status.getStepId() < stored.getStepId()
        && status.getUpdateId() < stored.getUpdateId()) {
      restart(instance);
      result = Acceptance.RESTARTED;
    } else {
      // No gauge changes: they show neither the timestamp nor schedulability.
      instance.status(stored.toBuilder().setTimestampMs(status.getTimestampMs())
          .setSchedulable(status.getSchedulable()).build());
      return Acceptance.TIMESTAMP_ONLY;
    }
    instance.status(status);
    account.reconcile(instance, status);
    gauges.publish(instance);
    return result;
  }
}
