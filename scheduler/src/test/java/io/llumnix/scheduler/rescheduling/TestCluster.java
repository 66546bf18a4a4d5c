package io.llumnix.scheduler.rescheduling;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.cms.CmsView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A CMS view built from records the test writes, on a manual clock: instances whose load
 * ({@code kv_cache_usage_ratio_projected}) is what the test says.
 */
final class TestCluster {

  static final int TOTAL_TOKENS = 10_000;

  final ManualClock clock = ManualClock.at(1_000_000);
  final ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(1000);
  final CmsView view;
  private final Map<String, InstanceMetadata> metadata = new LinkedHashMap<>();
  private int update;

  TestCluster() {
    metrics.registerAll(LlumnixMetrics.scheduler());
    view = new CmsView(metrics, true, 10, false, clock);
    view.alive(true);
  }

  /**
   * Metadata of a single-engine instance: node and unit of its own, a llumlet at
   * {@code 10.0.0.<n>:7000} and a KV-transfer endpoint at {@code 10.1.0.<n>:28000}.
   */
  InstanceMetadata.Builder metadata(String id, InferType type) {
    int n = metadata.size() + 1;
    return InstanceMetadata.newBuilder().setInstanceId(id).setInstanceType(type.label())
        .setIp("10.0.0." + n).setApiServerPort(8000).setLlumletPort(7000)
        .setIpKvs("10.1.0." + n).setKvtPort(28000).setNodeId("node-" + id)
        .setUnitId("unit-" + id).setDataParallelSize(1);
  }

  /** Adds a healthy instance of {@code type} at {@code load}. */
  TestCluster add(String id, InferType type, double load) {
    return add(metadata(id, type).build(), load);
  }

  TestCluster add(InstanceMetadata instance, double load) {
    metadata.put(instance.getInstanceId(), instance);
    view.applyMetadata(new ArrayList<>(metadata.values()));
    return status(instance.getInstanceId(), true, load, 0);
  }

  /** Adds an instance whose only status is 62 s old: stale (past 60 whole seconds). */
  TestCluster addStale(String id, InferType type, double load) {
    metadata.put(id, metadata(id, type).build());
    view.applyMetadata(new ArrayList<>(metadata.values()));
    return status(id, true, load, -62_000);
  }

  /** A new status of {@code id}: schedulable or not, at {@code load}. */
  TestCluster status(String id, boolean schedulable, double load) {
    return status(id, schedulable, load, 0);
  }

  private TestCluster status(String id, boolean schedulable, double load, long age) {
    update++;
    view.acceptStatus(InstanceStatus.newBuilder().setInstanceId(id).setSchedulable(schedulable)
        .setTimestampMs(clock.epochMillis() + age + update).setUpdateId(update)
        .setNumTotalGpuTokens(TOTAL_TOKENS)
        .setNumUsedGpuTokens((int) Math.round(load * TOTAL_TOKENS)).build());
    return this;
  }

  /** Removes {@code id} from the CMS. */
  void remove(String id) {
    metadata.remove(id);
    view.applyMetadata(new ArrayList<>(metadata.values()));
  }

  /** Replaces {@code id}'s metadata (say, its llumlet moved). */
  void replace(InstanceMetadata instance) {
    metadata.put(instance.getInstanceId(), instance);
    view.applyMetadata(new ArrayList<>(metadata.values()));
  }

  InstanceMetadata metadataOf(String id) {
    return metadata.get(id);
  }
}
