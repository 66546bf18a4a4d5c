package io.llumnix.scheduler.rescheduling;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.llumlet.api.MigrateRequest;

/**
 * One migration a rescheduling round decided on: {@code policy} moves requests chosen by
 * {@code selection} from {@code src} to {@code dst}. Holds the instances' metadata as read in
 * the round (immutable records), so the call can run after the view has moved on.
 */
public record MigrationPair(ReschedulingPolicy policy, InstanceMetadata src, InstanceMetadata dst,
    RequestSelection selection) {

  public String srcId() {
    return src.getInstanceId();
  }

  public String dstId() {
    return dst.getInstanceId();
  }

  /** Whether this pair moves requests back the way {@code other} moves them. */
  public boolean reverses(MigrationPair other) {
    return srcId().equals(other.dstId()) && dstId().equals(other.srcId());
  }

  /**
   * The request to send to the source's llumlet ({@code src.ip:src.llumlet_port}): the
   * destination is named by its CMS id and reached at its KV-transfer address
   * ({@code ip_kvs:kvt_port}); {@code trigger_policy} is the policy's name.
   */
  public MigrateRequest request() {
    return selection.applyTo(MigrateRequest.newBuilder().setSrcEngineId(srcId())
        .setDstEngineId(dstId()).setDstEngineIp(dst.getIpKvs())
        .setDstEnginePort(dst.getKvtPort()).setTriggerPolicy(policy.policyName())).build();
  }

  @Override
  public String toString() {
    return policy.policyName() + ": " + srcId() + " -> " + dstId() + " (" + selection.rule()
        + "/" + selection.order() + "/" + selection.value() + ")";
  }
}
