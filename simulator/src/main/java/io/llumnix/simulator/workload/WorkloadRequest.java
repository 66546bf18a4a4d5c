package io.llumnix.simulator.workload;

import org.jspecify.annotations.Nullable;

/**
 * One request of a workload, as the gateway receives it: when it arrives (virtual nanoseconds),
 * its prompt as token ids, and how many tokens it generates (it runs with {@code ignore_eos} to
 * exactly that length, so runs of different policies do the same work).
 *
 * @param outputSeed seeds the engine's output tokens, so a session's next turn knows them
 * @param sessionId the conversation a turn belongs to; null for a single request
 * @param turn the turn within the session, from 0
 */
public record WorkloadRequest(String id, long arrivalNanos, int[] promptTokenIds,
    int outputTokens, long outputSeed, @Nullable String sessionId, int turn) {

  public WorkloadRequest {
    if (promptTokenIds.length < 1 || outputTokens < 1) {
      throw new IllegalArgumentException(id + ": prompt " + promptTokenIds.length
          + " and output " + outputTokens + " tokens (expected: >= 1 each)");
    }
  }
}
