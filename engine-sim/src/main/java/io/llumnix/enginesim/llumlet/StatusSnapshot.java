package io.llumnix.enginesim.llumlet;

import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.SimRequest;

/**
 * An instance status computed from the engine's real state, field by field as the reference's
 * patched vLLM fills it. The simulator has no connector or hybrid queues,
 * so those fields are 0; a decode instance's requests waiting for their KV cache count as
 * loading.
 */
final class StatusSnapshot {

  private final int blockSize;
  private int waiting;
  private int loading;
  private long loadingTokens;
  private long waitingUncomputed;
  private int waitingToDecode;
  private long waitingToDecodeTokens;
  private long runningPrefillUncomputed;
  private long runningPrefillUnallocated;
  private int runningToDecode;
  private long runningToDecodeTokens;

  private StatusSnapshot(int blockSize) {
    this.blockSize = blockSize;
  }

  /**
   * The status fields of {@code core}; the caller stamps ids, timestamp and the request-id
   * lists.
   */
  static InstanceStatus.Builder of(EngineCore core) {
    int blockSize = core.config().blockSize();
    StatusSnapshot counts = new StatusSnapshot(blockSize);
    for (SimRequest r : core.runningRequests()) {
      counts.add(r);
    }
    for (SimRequest r : core.waitingRequests()) {
      counts.add(r);
    }
    long totalTokens = (long) core.config().numGpuBlocks() * blockSize;
    return InstanceStatus.newBuilder()
        .setNumWaitingRequests(counts.waiting)
        .setNumRunningRequests(core.numRunning())
        .setNumLoadingRequests(counts.loading)
        .setNumTokensLoadingRequests(clamp(counts.loadingTokens))
        .setNumTotalGpuTokens(clamp(totalTokens))
        .setNumUsedGpuTokens(clamp(totalTokens - (long) core.numFreeBlocks() * blockSize))
        .setNumUncomputedTokensSchedulerWaitingPrefills(clamp(counts.waitingUncomputed))
        .setNumUncomputedTokensAllWaitingPrefills(clamp(counts.waitingUncomputed))
        .setSchedulerWaitingToDecodeRequestsNum(counts.waitingToDecode)
        .setSchedulerWaitingToDecodeTokensNum(clamp(counts.waitingToDecodeTokens))
        .setNumUncomputedTokensSchedulerRunningPrefills(clamp(counts.runningPrefillUncomputed))
        .setNumUnallocatedTokensSchedulerRunningPrefills(clamp(counts.runningPrefillUnallocated))
        .setSchedulerRunningToDecodeRequestsNum(counts.runningToDecode)
        .setSchedulerRunningToDecodeTokensNum(clamp(counts.runningToDecodeTokens))
        .setProfilingId(-1);
  }

  private void add(SimRequest r) {
    int tokens = r.numPromptTokens() + r.numOutputTokens();
    boolean toDecode = r.maxTokens() > 1;
    switch (r.status()) {
      case WAITING_FOR_REMOTE_KVS -> {
        loading++;
        loadingTokens += tokens;
      }
      case WAITING, PREEMPTED -> {
        waiting++;
        // A preempted request recomputes everything it had: prompt and output so far.
        waitingUncomputed += tokens - r.numComputedTokens();
        if (toDecode) {
          waitingToDecode++;
          waitingToDecodeTokens += tokens;
        }
      }
      case RUNNING -> {
        if (r.numComputedTokens() < r.numPromptTokens()) {
          runningPrefillUncomputed += r.numPromptTokens() - r.numComputedTokens();
          long allocated = (long) r.blockIds().length * blockSize;
          runningPrefillUnallocated += Math.max(0, r.numPromptTokens() - allocated);
        }
        if (toDecode) {
          runningToDecode++;
          runningToDecodeTokens += tokens;
        }
      }
      case FINISHED -> { }
    }
  }

  private static int clamp(long value) {
    return (int) Math.min(Integer.MAX_VALUE, value);
  }
}
