package io.llumnix.scheduler.policy;

import java.util.List;

/** Cycles through the passing candidates in the order given (views sort by instance id). */
final class RoundRobinSelector<I extends InstanceView> implements Selector<I> {

  private long next;

  @Override
  public int select(List<I> candidates, int[] passing, int count, List<Metric<I>> metrics) {
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
