package io.llumnix.scheduler.cms;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.policy.ClusterView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private boolean alive;

  /**
   * @param localAccount {@code --enable-instance-status-local-account}
   * @param accountStalenessSeconds {@code --request-local-account-staleness-seconds}
   */
  public CmsView(ComponentMetrics metrics, boolean localAccount, long accountStalenessSeconds,
      Clock clock) {
    this.gauges = new CmsGauges(metrics);
    this.selected = new SelectedHistograms(metrics);
    this.account = new LocalAccount(localAccount, accountStalenessSeconds, clock, gauges);
    for (InferType type : InferType.values()) {
      byType.put(type, new ArrayList<>());
    }
  }

  /** The dispatches statuses do not show yet. */
  public LocalAccount account() {
    return account;
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

  /** Counts the dispatch in the account and observes the chosen instance's metrics. */
  @Override
  public void dispatched(CmsInstance instance, SchedulingRequest request, InferType role) {
    int tokens = request.promptNumTokens();
    account.add(instance, request.id(), role, tokens, tokens);
    selected.observe(role, instance);
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
    account.forget(instance);
    gauges.remove(instance);
  }

  private void restart(CmsInstance instance) {
    instance.status = CmsInstance.SENTINEL;
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
    account.reconcile(instance, status);
    gauges.publish(instance);
    return result;
  }
}
