package io.llumnix.scheduler.cms;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The cluster as the CMS shows it, plus the local account (llumnix.md §2.1, §4): which
 * instances exist (from their metadata), their latest accepted status, and the requests
 * dispatched to each that its status does not show yet. Publishes the {@code instance_cms_*}
 * gauges. Owned by the scheduler's event loop; not thread-safe.
 */
public final class CmsView {

  private final Map<String, CmsInstance> instances = new HashMap<>();
  private final Map<InferType, List<CmsInstance>> byType = new EnumMap<>(InferType.class);
  /** Request id to the instances whose account holds it. */
  private final Map<String, List<CmsInstance>> index = new HashMap<>();
  private final boolean localAccount;
  private final long accountStalenessMillis;
  private final LongSupplier clockMillis;
  private final List<LabeledMetric<GaugeDataPoint>> gauges = new ArrayList<>();
  private boolean alive;

  /**
   * @param localAccount {@code --enable-instance-status-local-account}
   * @param accountStalenessSeconds {@code --request-local-account-staleness-seconds}
   */
  public CmsView(ComponentMetrics metrics, boolean localAccount, long accountStalenessSeconds,
      LongSupplier clockMillis) {
    this.localAccount = localAccount;
    this.accountStalenessMillis = accountStalenessSeconds * 1000;
    this.clockMillis = clockMillis;
    for (var spec : LlumnixMetrics.INSTANCE_CMS) {
      gauges.add(metrics.gauge(spec));
    }
    for (InferType type : InferType.values()) {
      byType.put(type, new ArrayList<>());
    }
  }

  /** Whether the last CMS read succeeded; scheduling refuses while it has not. */
  public boolean alive() {
    return alive;
  }

  public void alive(boolean alive) {
    this.alive = alive;
  }

  /** The instances of {@code type}, ordered by id. */
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

  public int size() {
    return instances.size();
  }

  // ---- metadata loop

  /**
   * Applies a full metadata read: new instances join with the sentinel status, known ones get
   * the new metadata (a changed {@code utc_create} means the engine restarted: its status and
   * account start over), and instances without metadata leave.
   */
  public void applyMetadata(List<InstanceMetadata> all) {
    Set<String> seen = new HashSet<>();
    boolean changed = false;
    for (InstanceMetadata metadata : all) {
      String id = metadata.getInstanceId();
      if (id.isEmpty() || !seen.add(id)) {
        continue;
      }
      CmsInstance known = instances.get(id);
      if (known == null) {
        instances.put(id, new CmsInstance(metadata));
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
      if (!seen.contains(instance.id())) {
        it.remove();
        drop(instance);
        changed = true;
      }
    }
    if (changed) {
      regroup();
    }
  }

  /** An instance whose status is gone (expired or deleted) leaves the view. */
  public void remove(String id) {
    CmsInstance instance = instances.remove(id);
    if (instance != null) {
      drop(instance);
      regroup();
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
    for (String requestId : List.copyOf(instance.entries.keySet())) {
      unindex(requestId, instance);
    }
    instance.entries.clear();
    for (LabeledMetric<GaugeDataPoint> gauge : gauges) {
      gauge.remove(instance.id(), instance.inferType().label());
    }
  }

  private void restart(CmsInstance instance) {
    instance.status = CmsInstance.SENTINEL;
    for (String requestId : List.copyOf(instance.entries.keySet())) {
      deleteCounters(instance, instance.entries.get(requestId));
      unindex(requestId, instance);
    }
    instance.entries.clear();
  }

  // ---- status loop

  /** What {@link #acceptStatus} did with a status. */
  public enum Acceptance { UNKNOWN_INSTANCE, IGNORED_OLD, TIMESTAMP_ONLY, REPLACED, RESTARTED }

  /**
   * Applies a status read from the CMS, by the rules of llumnix.md §2.1: not newer than the
   * stored one ⇒ ignored; newer but with no newer {@code update_id} ⇒ only its timestamp and
   * schedulability are taken; else it replaces the stored status and reconciles the account.
   * One exception (deliberately unlike the reference): when both {@code update_id} and
   * {@code step_id} went back, the engine restarted under the same id, and its status is
   * taken as the new start.
   */
  public Acceptance acceptStatus(InstanceStatus status) {
    CmsInstance instance = instances.get(status.getInstanceId());
    if (instance == null) {
      return Acceptance.UNKNOWN_INSTANCE;
    }
    InstanceStatus stored = instance.status;
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
      instance.status = stored.toBuilder().setTimestampMs(status.getTimestampMs())
          .setSchedulable(status.getSchedulable()).build();
      return Acceptance.TIMESTAMP_ONLY;
    }
    instance.status = status;
    if (localAccount) {
      reconcile(instance, status);
    }
    publish(instance);
    return result;
  }

  /**
   * Settles the account with a new status (§4): an entry whose request the status shows as
   * recently waiting is found and stops counting; a found one that left the waiting queue is
   * dropped; one never found is dropped, counters and all, once it is stale.
   */
  void reconcile(CmsInstance instance, InstanceStatus status) {
    if (instance.entries.isEmpty()) {
      return;
    }
    Set<String> recent = trimmed(status.getRecentWaitingRequestsList());
    Set<String> waiting = trimmed(status.getWaitingRequestsList());
    long now = clockMillis.getAsLong();
    for (Iterator<Map.Entry<String, CmsInstance.Entry>> it = instance.entries.entrySet()
        .iterator(); it.hasNext(); ) {
      Map.Entry<String, CmsInstance.Entry> e = it.next();
      String requestId = e.getKey();
      CmsInstance.Entry entry = e.getValue();
      if (!entry.found && recent.contains(requestId)) {
        deleteCounters(instance, entry);
        entry.found = true;
      } else if (entry.found && !waiting.contains(requestId)) {
        it.remove();
        unindex(requestId, instance);
      } else if (!entry.found && !waiting.contains(requestId)
          && (now - entry.scheduledMillis) / 1000 >= accountStalenessMillis / 1000) {
        deleteCounters(instance, entry);
        it.remove();
        unindex(requestId, instance);
      }
    }
  }

  private static Set<String> trimmed(List<String> ids) {
    Set<String> set = new HashSet<>(ids.size() * 2);
    for (String id : ids) {
      set.add(trimRequestId(id));
    }
    return set;
  }

  /**
   * The gateway's request id in an engine's request id: without {@code cmpl-} or
   * {@code chatcmpl-}; before the first {@code +} if there is one, else before the last
   * {@code -} (vLLM's {@code cmpl-<id>-<index>}).
   */
  public static String trimRequestId(String engineId) {
    String id = engineId;
    if (id.startsWith("chatcmpl-")) {
      id = id.substring("chatcmpl-".length());
    } else if (id.startsWith("cmpl-")) {
      id = id.substring("cmpl-".length());
    }
    int plus = id.indexOf('+');
    if (plus >= 0) {
      return id.substring(0, plus);
    }
    int dash = id.lastIndexOf('-');
    return dash >= 0 ? id.substring(0, dash) : id;
  }

  // ---- local account

  /**
   * Records a dispatch of {@code requestId} to {@code instance} as {@code type} (§4 Add):
   * {@code numTokens} prompt tokens, {@code uncomputed} of them not cached.
   */
  public void add(CmsInstance instance, String requestId, InferType type, int numTokens,
      int uncomputed) {
    if (!localAccount) {
      return;
    }
    CmsInstance.Entry entry = instance.entries.get(requestId);
    InferType counted;
    if (entry == null) {
      entry = new CmsInstance.Entry(clockMillis.getAsLong(), type, numTokens, uncomputed);
      instance.entries.put(requestId, entry);
      index.computeIfAbsent(requestId, k -> new ArrayList<>(2)).add(instance);
      instance.req++;
      counted = type;
    } else if (entry.type == type || entry.type == InferType.NEUTRAL) {
      return;
    } else {
      counted = type; // the other stage joins: count it too, and the entry becomes neutral
      entry.type = InferType.NEUTRAL;
    }
    if (counted == InferType.PREFILL || counted == InferType.NEUTRAL) {
      instance.prefillReq++;
      instance.prefillTok += uncomputed;
    }
    if (counted == InferType.DECODE || counted == InferType.NEUTRAL) {
      instance.decodeReq++;
      instance.decodeTok += numTokens;
    }
    publishAccount(instance);
  }

  /** pd_batch found no decode instance: the prefill dispatch is taken back (§4). */
  public void revertPrefill(CmsInstance instance, String requestId) {
    CmsInstance.Entry entry = instance.entries.remove(requestId);
    if (entry == null) {
      return;
    }
    instance.prefillReq--;
    instance.prefillTok -= entry.uncomputed;
    unindex(requestId, instance);
    publishAccount(instance);
  }

  /** {@code /release}: the request leaves every instance's account (§4 Release). */
  public int release(String requestId) {
    List<CmsInstance> holders = index.remove(requestId);
    if (holders == null) {
      return 0;
    }
    for (CmsInstance instance : holders) {
      CmsInstance.Entry entry = instance.entries.remove(requestId);
      if (entry != null) {
        deleteCounters(instance, entry);
        publishAccount(instance);
      }
    }
    return holders.size();
  }

  private void deleteCounters(CmsInstance instance, CmsInstance.Entry entry) {
    if (entry.found) {
      return; // a found entry stopped counting when its status showed it
    }
    instance.req--;
    if (entry.type == InferType.PREFILL || entry.type == InferType.NEUTRAL) {
      instance.prefillReq--;
      instance.prefillTok -= entry.uncomputed;
    }
    if (entry.type == InferType.DECODE || entry.type == InferType.NEUTRAL) {
      instance.decodeReq--;
      instance.decodeTok -= entry.numTokens;
    }
  }

  private void unindex(String requestId, CmsInstance instance) {
    List<CmsInstance> holders = index.get(requestId);
    if (holders != null) {
      holders.remove(instance);
      if (holders.isEmpty()) {
        index.remove(requestId);
      }
    }
  }

  /** Requests in the account, on all instances (for tests and diagnostics). */
  public int accountSize() {
    return index.size();
  }

  // ---- gauges

  /** Index of the first account gauge in {@link LlumnixMetrics#INSTANCE_CMS}. */
  private static final int FIRST_ACCOUNT_GAUGE = 15;

  /** Every gauge of the instance: after a status, which changes them all. */
  private void publish(CmsInstance instance) {
    InstanceStatus s = instance.status;
    GaugeDataPoint[] points = points(instance);
    // Order of LlumnixMetrics.INSTANCE_CMS.
    points[0].set(s.getNumUsedGpuTokens());
    points[1].set(s.getNumWaitingRequests());
    points[2].set(s.getNumLoadingRequests());
    points[3].set(s.getNumRunningRequests());
    points[4].set(s.getSchedulerWaitingToDecodeRequestsNum());
    points[5].set(s.getSchedulerRunningToDecodeRequestsNum());
    points[6].set(s.getHybridSchedulerWaitingToDecodeRequestsNum());
    points[7].set(s.getNumUncomputedTokensAllWaitingPrefills());
    points[8].set(s.getNumUncomputedTokensSchedulerRunningPrefills());
    points[9].set(s.getNumUnallocatedTokensSchedulerRunningPrefills());
    points[10].set(s.getNumUnallocatedTokensHybridSchedulerWaitingDecodes());
    points[11].set(s.getHybridSchedulerWaitingToDecodeTokensNum());
    points[12].set(s.getSchedulerWaitingToDecodeTokensNum());
    points[13].set(s.getSchedulerRunningToDecodeTokensNum());
    points[14].set(s.getNumTokensLoadingRequests());
    publishAccount(instance);
  }

  /** The account gauges and the metrics derived from them: after a dispatch or release. */
  private void publishAccount(CmsInstance instance) {
    GaugeDataPoint[] points = points(instance);
    int i = FIRST_ACCOUNT_GAUGE;
    points[i++].set(instance.req);
    points[i++].set(instance.prefillReq);
    points[i++].set(instance.decodeReq);
    points[i++].set(instance.prefillTok);
    points[i++].set(instance.decodeTok);
    points[i++].set(instance.kvCacheUsageRatioProjected());
    points[i++].set(instance.decodeBatchSize());
    points[i++].set(instance.allPrefillsTokensNum());
    points[i].set(instance.allDecodesTokensNum());
  }

  /** The instance's data points, looked up once: dispatches update them per request. */
  private GaugeDataPoint[] points(CmsInstance instance) {
    GaugeDataPoint[] points = instance.gaugePoints;
    if (points == null) {
      points = new GaugeDataPoint[gauges.size()];
      for (int i = 0; i < points.length; i++) {
        points[i] = gauges.get(i).labels(instance.id(), instance.inferType().label());
      }
      instance.gaugePoints = points;
    }
    return points;
  }
}
