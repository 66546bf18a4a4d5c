package io.llumnix.enginesim.llumlet;

import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.SimRequest;
import java.util.Collection;

/**
 * An instance status computed from the engine's real state, field by field as the reference's
 * patched vLLM fills it. The simulator has no connector or hybrid queues,
 * so those fields are 0; a decode instance's requests waiting for their KV cache count as
 * loading.
 */
final class StatusSnapshot {

  private StatusSnapshot() {}

  /**
   * The status fields of {@code core}; the caller stamps ids, timestamp and the request-id
   * lists.
   */
  static InstanceStatus.Builder of(EngineCore core, Collection<SimRequest> live) {
    int blockSize = core.config().blockSize();
    long totalTokens = (long) core.config().numGpuBlocks() * blockSize;
    int waiting = 0;
    int loading = 0;
    long loadingTokens = 0;
    long waitingUncomputed = 0;
    int waitingToDecode = 0;
    long waitingToDecodeTokens = 0;
    long runningPrefillUncomputed = 0;
    long runningPrefillUnallocated = 0;
    int runningToDecode = 0;
    long runningToDecodeTokens = 0;
    for (SimRequest r : live) {
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
    int running = live.size() - waiting - loading;
    return InstanceStatus.newBuilder()
        .setNumWaitingRequests(waiting)
        .setNumRunningRequests(running)
        .setNumLoadingRequests(loading)
        .setNumTokensLoadingRequests(clamp(loadingTokens))
        .setNumTotalGpuTokens(clamp(totalTokens))
        .setNumUsedGpuTokens(clamp(totalTokens - (long) core.numFreeBlocks() * blockSize))
        .setNumUncomputedTokensSchedulerWaitingPrefills(clamp(waitingUncomputed))
        .setNumUncomputedTokensAllWaitingPrefills(clamp(waitingUncomputed))
        .setSchedulerWaitingToDecodeRequestsNum(waitingToDecode)
        .setSchedulerWaitingToDecodeTokensNum(clamp(waitingToDecodeTokens))
        .setNumUncomputedTokensSchedulerRunningPrefills(clamp(runningPrefillUncomputed))
        .setNumUnallocatedTokensSchedulerRunningPrefills(clamp(runningPrefillUnallocated))
        .setSchedulerRunningToDecodeRequestsNum(runningToDecode)
        .setSchedulerRunningToDecodeTokensNum(clamp(runningToDecodeTokens))
        .setProfilingId(-1);
  }

  private static int clamp(long value) {
    return (int) Math.min(Integer.MAX_VALUE, value);
  }
}
