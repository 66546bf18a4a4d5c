package io.llumnix.scheduler.policy;

import java.util.List;

/**
 * A filter over the whole candidate set, run after the single-instance filters: it may drop
 * instances because of others (full mode's failover drops a failed instance's whole node or
 * data-parallel unit).
 *
 * @param <I> the view it reads
 */
public interface GlobalFilter<I extends InstanceView> {

  /**
   * Keeps some of {@code passing[0 .. count)} (indices into {@code candidates}), compacting
   * them to the front of {@code passing}; returns how many are kept.
   *
   * @param failed {@code failed[i]}: candidate {@code i} was rejected by a filter whose
   *     rejection is a {@linkplain Filter#rejectionIsFailure() failure}
   */
  int filter(List<I> candidates, boolean[] failed, int[] passing, int count);
}
