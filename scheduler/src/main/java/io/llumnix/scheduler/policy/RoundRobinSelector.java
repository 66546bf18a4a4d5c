package io.llumnix.scheduler.policy;

import java.util.List;

/** Cycles through the passing candidates in the order given (the view sorts by instance id). */
final class RoundRobinSelector implements Selector {

  private long next;

  @Override
  public int select(List<? extends InstanceView> candidates, int[] passing, int count,
      List<Metric> metrics) {
    if (count == 0) {
      return -1;
    }
    return passing[(int) Long.remainderUnsigned(next++, count)];
  }

  @Override
  public String toString() {
    return "roundRobin";
  }
}
