package io.llumnix.scheduler.dispatch;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.Cooldown;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.cms.CmsInstance;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.lrs.LrsInstance;
import io.llumnix.scheduler.policy.InstanceView;
import io.llumnix.scheduler.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A dispatcher over a real view of one mode, for tests: lite mode's LRS with a registered
 * gateway, or full mode's CMS view fed statuses directly, on a manual clock.
 */
abstract class Clusters<I extends InstanceView> {

  static final String GATEWAY = "10.9.9.9:1";
  /** How long an instance reported failed is passed over. */
  static final long COOLDOWN_MILLIS = 10_000;

  final ManualClock clock = ManualClock.at(1_000_000);
  final ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(10_000);
  Dispatcher<I> dispatcher;
  private int requests;

  Clusters() {
    metrics.registerAll(LlumnixMetrics.scheduler());
  }

  /** The cluster of {@code entry}'s mode, dispatching with its policy. */
  @SuppressWarnings("unchecked") // the entry's mode says which view its policy reads
  static Clusters<?> of(PolicyRegistry.Entry<?> entry, PolicyConfig config) {
    if (entry.mode() == Mode.LITE) {
      return new Lite((PolicyRegistry.Entry<LrsInstance>) entry, config);
    }
    return new Full((PolicyRegistry.Entry<CmsInstance>) entry, config);
  }

  /** Adds a usable instance of {@code type}. */
  abstract void add(String id, InferType type);

  /** The instance can no longer serve (lite: discovery lost it; full: it reports a failure). */
  abstract void breakInstance(String id);

  /** Requests the view's bookkeeping holds. */
  abstract int held();

  Outcome schedule(SchedulingMode mode, SchedulingStage stage) {
    return dispatcher.schedule(SchedulingRequest.of("r" + requests++, "m", GATEWAY, mode, stage,
        128, null));
  }

  /** Schedules a neutral request; the chosen instance's id, or null when none was. */
  String neutral() {
    return first(schedule(SchedulingMode.NEUTRAL, SchedulingStage.PREFILL));
  }

  static String first(Outcome outcome) {
    return outcome instanceof Outcome.Scheduled s ? s.answer().schedulingResult().get(0).id()
        : null;
  }

  static List<String> ids(Outcome outcome) {
    List<String> ids = new ArrayList<>();
    if (outcome instanceof Outcome.Scheduled s) {
      for (LlmInstance instance : s.answer().schedulingResult()) {
        ids.add(instance.id());
      }
    }
    return ids;
  }

  /** Lite mode: the LRS, instances from "discovery". */
  static final class Lite extends Clusters<LrsInstance> {
    private final LocalRealtimeState lrs = new LocalRealtimeState(metrics);

    Lite(PolicyRegistry.Entry<LrsInstance> entry, PolicyConfig config) {
      lrs.registerGateway(GATEWAY);
      dispatcher = new Dispatcher<>(entry.create().apply(config, clock), lrs, metrics, clock,
          new Cooldown(COOLDOWN_MILLIS, clock::nanoTime));
    }

    @Override
    void add(String id, InferType type) {
      lrs.upsertInstance(new LlmInstance(1, id, "m", type, "10.0.0." + (lrs.instanceIds().size()
          + 1), 8000, "", 0, 0, 0));
    }

    @Override
    void breakInstance(String id) {
      lrs.removeInstance(id);
    }

    @Override
    int held() {
      int total = 0;
      for (InferType type : InferType.values()) {
        for (LrsInstance instance : lrs.instances(type)) {
          total += instance.numRequests();
        }
      }
      return total;
    }
  }

  /** Full mode: a CMS view whose statuses the test writes. */
  static final class Full extends Clusters<CmsInstance> {
    private final CmsView view = new CmsView(metrics, true, 10, false, clock);
    private final List<InstanceMetadata> metadata = new ArrayList<>();

    Full(PolicyRegistry.Entry<CmsInstance> entry, PolicyConfig config) {
      view.alive(true);
      dispatcher = new Dispatcher<>(entry.create().apply(config, clock), view, metrics, clock,
          new Cooldown(COOLDOWN_MILLIS, clock::nanoTime));
    }

    @Override
    void add(String id, InferType type) {
      metadata.add(InstanceMetadata.newBuilder().setInstanceId(id)
          .setInstanceType(type.label()).setIp("10.0.0." + (metadata.size() + 1))
          .setApiServerPort(8000).setNodeId(id).setUnitId(id).setDataParallelSize(1).build());
      view.applyMetadata(metadata);
      status(id, true);
    }

    @Override
    void breakInstance(String id) {
      status(id, false);
    }

    private void status(String id, boolean schedulable) {
      CmsInstance instance = view.instance(id);
      int update = instance.status().getUpdateId() == Integer.MIN_VALUE ? 1
          : instance.status().getUpdateId() + 1;
      view.acceptStatus(InstanceStatus.newBuilder().setInstanceId(id).setSchedulable(schedulable)
          .setTimestampMs(clock.epochMillis() + update).setUpdateId(update)
          .setNumTotalGpuTokens(100_000).build());
    }

    /** The instance stops reporting; {@code seconds} pass. */
    void silence(String id, long seconds) {
      clock.advanceMillis(seconds * 1000);
      for (InstanceMetadata m : metadata) {
        String other = m.getInstanceId();
        if (!other.equals(id)) {
          status(other, view.instance(other).status().getSchedulable());
        }
      }
    }

    CmsView view() {
      return view;
    }

    @Override
    int held() {
      return view.account().size();
    }
  }
}
