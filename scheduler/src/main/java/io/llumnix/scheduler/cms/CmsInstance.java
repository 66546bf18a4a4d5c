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
  private InstanceStatus status = SENTINEL;
  // The status's figures that filters and metrics read, copied out when a status is accepted:
  // every decision reads them for every candidate, and at a thousand instances following each
  // one's pointer to its status record cost a cache miss per candidate.
  private boolean schedulable;
  private long timestampMs = Long.MIN_VALUE;
  private long totalGpuTokens;
  /** Used GPU tokens plus the unallocated ones of running prefills and waiting decodes. */
  private long usedAndUnallocatedTokens;
  private long waitingPrefillTokens;
  private long runningPrefillTokens;
  private long statusDecodeBatch;
  private long statusDecodeTokens;
  private long statusWaitingRequests;
  private long statusRequests;
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

  /** Makes {@code s} the accepted status. */
  void status(InstanceStatus s) {
    status = s;
    schedulable = s.getSchedulable();
    timestampMs = s.getTimestampMs();
    totalGpuTokens = s.getNumTotalGpuTokens();
    usedAndUnallocatedTokens = (long) s.getNumUsedGpuTokens()
        + s.getNumUnallocatedTokensSchedulerRunningPrefills()
        + s.getNumUnallocatedTokensHybridSchedulerWaitingDecodes();
    waitingPrefillTokens = s.getNumUncomputedTokensAllWaitingPrefills();
    runningPrefillTokens = s.getNumUncomputedTokensSchedulerRunningPrefills();
    statusDecodeBatch = (long) s.getHybridSchedulerWaitingToDecodeRequestsNum()
        + s.getNumLoadingRequests() + s.getSchedulerWaitingToDecodeRequestsNum()
        + s.getSchedulerRunningToDecodeRequestsNum();
    statusDecodeTokens = (long) s.getHybridSchedulerWaitingToDecodeTokensNum()
        + s.getSchedulerWaitingToDecodeTokensNum() + s.getSchedulerRunningToDecodeTokensNum()
        + s.getNumTokensLoadingRequests();
    statusWaitingRequests = s.getNumWaitingRequests();
    statusRequests = (long) s.getNumWaitingRequests() + s.getNumLoadingRequests()
        + s.getNumRunningRequests();
  }

  /** Whether its status says it can take requests. */
  public boolean schedulable() {
    return schedulable;
  }

  /** When its status was written; {@link Long#MIN_VALUE} before the first. */
  public long statusTimestampMs() {
    return timestampMs;
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
    return waitingPrefillsOverride >= 0 ? waitingPrefillsOverride : waitingPrefillTokens;
  }

  /** KV cache the instance will use once what is queued and dispatched is placed. */
  public double kvCacheUsageRatioProjected() {
    if (totalGpuTokens <= 0) {
      return Float.MAX_VALUE;
    }
    return (float) ((double) usedAndUnallocatedTokens + waitingPrefills() + decodeTok)
        / totalGpuTokens;
  }

  public double decodeBatchSize() {
    return (float) (statusDecodeBatch + decodeReq);
  }

  public double numWaitingRequests() {
    return (float) (statusWaitingRequests + req);
  }

  public double allPrefillsTokensNum() {
    return (float) (waitingPrefills() + runningPrefillTokens + prefillTok);
  }

  public double allDecodesTokensNum() {
    return (float) (statusDecodeTokens + decodeTok);
  }

  /** Full mode's {@code num_requests}. */
  @Override
  public int numRequests() {
    return (int) statusRequests + prefillReq + decodeReq;
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
