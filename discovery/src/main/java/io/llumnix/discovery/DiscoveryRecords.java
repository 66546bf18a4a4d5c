package io.llumnix.discovery;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.discovery.proto.InstanceDiscoveryInfo;
import io.llumnix.discovery.proto.PodDiscoveryInfo;
import java.util.ArrayList;
import java.util.List;

/** Converts the Redis discovery records to instances and back. */
public final class DiscoveryRecords {

  /** Every discovery key starts with this, followed by the pod name. */
  public static final String KEY_PREFIX = "llumnix:discovery:";

  private DiscoveryRecords() {}

  /** The key of pod {@code podName}. */
  public static String key(String podName) {
    return KEY_PREFIX + podName;
  }

  /**
   * The instances of a pod record: id {@code <pod>_dp<rank>}, the entrypoint as endpoint and the
   * KV-transfer address as aux address.
   *
   * @throws IllegalArgumentException when an instance's type or port is invalid
   */
  public static List<LlmInstance> instances(PodDiscoveryInfo pod) {
    List<LlmInstance> instances = new ArrayList<>(pod.getInstancesCount());
    for (InstanceDiscoveryInfo info : pod.getInstancesList()) {
      instances.add(new LlmInstance(info.getVersion(),
          pod.getPodName() + "_dp" + info.getDpRank(), info.getModel(),
          InferType.of(info.getInstanceType()), info.getEntrypointIp(),
          info.getEntrypointPort(), info.getKvTransferIp(), info.getKvTransferPort(),
          info.getDpRank(), info.getDpSize()));
    }
    return instances;
  }

  /** A pod record for {@code instances}, stamped {@code timestampMillis}. */
  public static PodDiscoveryInfo pod(String podName, long timestampMillis,
      List<LlmInstance> instances) {
    PodDiscoveryInfo.Builder pod = PodDiscoveryInfo.newBuilder().setPodName(podName)
        .setTimestampMs(timestampMillis);
    for (LlmInstance instance : instances) {
      pod.addInstances(InstanceDiscoveryInfo.newBuilder()
          .setInstanceType(instance.inferType().label())
          .setEntrypointIp(instance.host())
          .setEntrypointPort(instance.port())
          .setKvTransferIp(instance.auxIp())
          .setKvTransferPort(instance.auxPort())
          .setDpRank(instance.dpRank())
          .setDpSize(instance.dpSize())
          .setModel(instance.model())
          .setVersion(instance.version()));
    }
    return pod.build();
  }
}
