package io.llumnix.enginesim.llumlet;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.enginesim.core.CoreConfig;

/**
 * The CMS metadata of one simulated engine: a vLLM v1 instance without tensor or data
 * parallelism, its node and unit its own, on {@code ip}. What the engine simulator's llumlet
 * and a simulation's llumlets publish.
 */
public final class EngineMetadata {

  private EngineMetadata() {}

  /**
   * The metadata's builder, for what a caller adds (the KV-event endpoints).
   *
   * @param role the instance type: {@code neutral}, {@code prefill} or {@code decode}
   * @param utcCreateSeconds when the engine started: a new value tells the scheduler it
   *     restarted
   */
  public static InstanceMetadata.Builder of(String id, String role, String ip, int apiPort,
      int kvtPort, CoreConfig core, double utcCreateSeconds) {
    return InstanceMetadata.newBuilder()
        .setInstanceId(id)
        .setInstanceType(role)
        .setBackendType("vLLM v1")
        .setIp(ip).setIpKvs(ip).setIpKvt(ip)
        .setApiServerPort(apiPort)
        .setKvtPort(kvtPort)
        .setNodeId(ip)
        .setDataParallelSize(1).setTensorParallelSize(1)
        .setUnitId(id)
        .setUtcCreate(utcCreateSeconds)
        .setBlockSize(core.blockSize())
        .setMaxNumBatchedTokens(core.maxNumBatchedTokens());
  }
}
