package io.llumnix.scheduler.policy;

import java.util.List;

/**
 * A filter over the whole candidate set, run after the single-instance filters: it may drop
 * instances because of others (full mode's failover drops a failed instance's whole node or
 * data-parallel unit).
 */
public interface GlobalFilter {

  /**
   * Keeps some of {@code passing[0 .. count)} (indices into {@code candidates}), compacting
   * them to the front of {@code passing}; returns how many are kept.
   */
  int filter(List<? extends InstanceView> candidates, int[] passing, int count);
}
