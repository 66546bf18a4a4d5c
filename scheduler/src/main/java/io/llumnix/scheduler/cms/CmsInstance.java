package io.llumnix.scheduler.cms;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.scheduler.policy.InstanceView;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One instance as full mode sees it: its CMS metadata, the last status accepted, and the local
 * account of requests dispatched to it that the status does not show yet. The scheduling
 * metrics are computed from both. Owned by the scheduler's event loop.
 */
public final class CmsInstance implements InstanceView {

  /** The status of an instance whose llumlet has not been heard from yet. */
  static final InstanceStatus SENTINEL = InstanceStatus.newBuilder()
      .setStepId(Integer.MIN_VALUE).setUpdateId(Integer.MIN_VALUE)
      .setProfilingId(Integer.MIN_VALUE).setTimestampMs(Long.MIN_VALUE).build();

  /** A request in the local account. */
  static final class Entry {
    final long scheduledMillis;
    InferType type;
    final int numTokens;
    final int uncomputed;
    boolean found;

    Entry(long scheduledMillis, InferType type, int numTokens, int uncomputed) {
      this.scheduledMillis = scheduledMillis;
      this.type = type;
      this.numTokens = numTokens;
      this.uncomputed = uncomputed;
    }
  }

  private InstanceMetadata metadata;
  private LlmInstance instance;
  private final InferType inferType;
  InstanceStatus status = SENTINEL;
  final Map<String, Entry> entries = new HashMap<>();
  /** Account counters: requests, prefill requests/tokens, decode requests/tokens. */
  int req;
  int prefillReq;
  long prefillTok;
  int decodeReq;
  long decodeTok;
  /** The {@code instance_cms_*} data points of this instance, once published. */
  GaugeDataPoint @Nullable [] gaugePoints;
  /**
   * Cache-aware: the uncomputed tokens of its waiting prefills as the account knows them (the
   * status counts whole prompts, not knowing what its prefix cache will find); -1 for the
   * status's own figure.
   */
  long waitingPrefillsOverride = -1;
  /** The request being dispatched, shared by all instances of a view. */
  private final DispatchContext context;
  /** Prompt tokens this instance holds, valid while {@link #hitStamp} is the context's. */
  int hitTokens;
  long hitStamp = -1;

  CmsInstance(InstanceMetadata metadata, DispatchContext context) {
    this.context = context;
    this.inferType = InferType.of(metadata.getInstanceType().isEmpty() ? "neutral"
        : metadata.getInstanceType());
    setMetadata(metadata);
  }

  void setMetadata(InstanceMetadata metadata) {
    this.metadata = metadata;
    this.instance = new LlmInstance(0, metadata.getInstanceId(), "", inferType,
        metadata.getIp(), metadata.getApiServerPort(),
        metadata.getIpKvt().isEmpty() ? metadata.getIpKvs() : metadata.getIpKvt(),
        metadata.getKvtPort(), metadata.getDpRank(),
        metadata.getDataParallelSize() > 1 ? metadata.getDataParallelSize() : 0);
  }

  public InstanceMetadata metadata() {
    return metadata;
  }

  public InstanceStatus status() {
    return status;
  }

  public InferType inferType() {
    return inferType;
  }

  @Override
  public LlmInstance instance() {
    return instance;
  }

  @Override
  public String id() {
    return metadata.getInstanceId();
  }

  /** Requests dispatched here that its status does not show yet. */
  public int inflightRequests() {
    return req;
  }

  public int inflightPrefillRequests() {
    return prefillReq;
  }

  public int inflightDecodeRequests() {
    return decodeReq;
  }

  public long inflightPrefillTokens() {
    return prefillTok;
  }

  public long inflightDecodeTokens() {
    return decodeTok;
  }

  // ---- scheduling metrics (lower is better)

  /** Cache-aware: tokens of the current request's prompt this instance has cached. */
  public int kvCacheHitLen() {
    return hitStamp == context.stamp ? hitTokens : 0;
  }

  /**
   * Cache-aware: tokens of the current request's prompt this instance would compute. An
   * instance without a hit misses the whole prompt (the reference counts 0 for it, which made
   * instances without the prefix look best).
   */
  public int prefixMissTokens() {
    return context.promptTokens - kvCacheHitLen();
  }

  /** Cache-aware: what the instance must prefill, the current request's missed part included. */
  public double cacheAwareAllPrefillsTokensNum() {
    return (float) (prefixMissTokens() + allPrefillsTokensNum());
  }

  private long waitingPrefills() {
    return waitingPrefillsOverride >= 0 ? waitingPrefillsOverride
        : status.getNumUncomputedTokensAllWaitingPrefills();
  }

  /** KV cache the instance will use once what is queued and dispatched is placed. */
  public double kvCacheUsageRatioProjected() {
    InstanceStatus s = status;
    if (s.getNumTotalGpuTokens() <= 0) {
      return Float.MAX_VALUE;
    }
    return (float) ((double) s.getNumUsedGpuTokens() + waitingPrefills()
        + s.getNumUnallocatedTokensSchedulerRunningPrefills()
        + s.getNumUnallocatedTokensHybridSchedulerWaitingDecodes() + decodeTok)
        / s.getNumTotalGpuTokens();
  }

  public double decodeBatchSize() {
    InstanceStatus s = status;
    return (float) ((long) s.getHybridSchedulerWaitingToDecodeRequestsNum()
        + s.getNumLoadingRequests() + s.getSchedulerWaitingToDecodeRequestsNum()
        + s.getSchedulerRunningToDecodeRequestsNum() + decodeReq);
  }

  public double numWaitingRequests() {
    return (float) ((long) status.getNumWaitingRequests() + req);
  }

  public double allPrefillsTokensNum() {
    InstanceStatus s = status;
    return (float) (waitingPrefills() + s.getNumUncomputedTokensSchedulerRunningPrefills()
        + prefillTok);
  }

  public double allDecodesTokensNum() {
    InstanceStatus s = status;
    return (float) ((long) s.getHybridSchedulerWaitingToDecodeTokensNum()
        + s.getSchedulerWaitingToDecodeTokensNum() + s.getSchedulerRunningToDecodeTokensNum()
        + s.getNumTokensLoadingRequests() + decodeTok);
  }

  /** Full mode's {@code num_requests}. */
  @Override
  public int numRequests() {
    InstanceStatus s = status;
    return s.getNumWaitingRequests() + s.getNumLoadingRequests() + s.getNumRunningRequests()
        + prefillReq + decodeReq;
  }

  /** Tokens queued on the instance: all prefill plus all decode tokens. */
  @Override
  public long numTokens() {
    return (long) allPrefillsTokensNum() + (long) allDecodesTokensNum();
  }

  @Override
  public String toString() {
    return "CmsInstance[" + id() + ", " + inferType + ", update " + status.getUpdateId()
        + ", inflight " + req + "]";
  }
}
