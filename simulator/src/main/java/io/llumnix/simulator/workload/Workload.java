package io.llumnix.simulator.workload;

import org.jspecify.annotations.Nullable;

/**
 * Requests in arrival order, pulled one at a time, so that a simulation holds only the requests
 * in flight, whatever the workload's length. Not thread-safe.
 */
public interface Workload {

  /** The next request (arrivals never decrease), or null when there is none left. */
  @Nullable WorkloadRequest next();

  /**
   * {@code request} got its last token at {@code finishNanos}: a session's next turn, if any,
   * arriving later (a workload of independent requests returns null).
   */
  default @Nullable WorkloadRequest followUp(WorkloadRequest request, long finishNanos) {
    return null;
  }
}
