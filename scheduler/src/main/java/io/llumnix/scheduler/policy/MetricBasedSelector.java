package io.llumnix.scheduler.policy;

import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The reference's {@code metricBased} selector. With {@code topK} = 1 a linear scan for the
 * lexicographic minimum (ties go to the lowest instance id, so the choice is deterministic);
 * with more, a stable partial order of the candidates and a uniform pick among the first K.
 * Scratch arrays are reused, so a selection allocates nothing once they are large enough.
 */
final class MetricBasedSelector<I extends InstanceView> implements Selector<I> {

  private final int topK;
  private final SplittableRandom random;
  private int[] order = new int[64];

  MetricBasedSelector(int topK, SplittableRandom random) {
    this.topK = topK;
    this.random = random;
  }

  @Override
  public int select(List<I> candidates, int[] passing, int count, List<Metric<I>> metrics) {
    if (count == 0) {
      return -1;
    }
    if (topK == 1 || count == 1) {
      // Each candidate's first metric once: the full comparison only breaks its ties.
      @Nullable Metric<I> first = metrics.isEmpty() ? null : metrics.get(0);
      int best = passing[0];
      double bestValue = first == null ? 0 : first.value(candidates.get(best));
      for (int i = 1; i < count; i++) {
        double value = first == null ? 0 : first.value(candidates.get(passing[i]));
        int c = Double.compare(value, bestValue);
        if (c < 0 || (c == 0 && compare(candidates, metrics, passing[i], best) < 0)) {
          best = passing[i];
          bestValue = value;
        }
      }
      return best;
    }
    if (order.length < count) {
      order = new int[Math.max(count, order.length * 2)];
    }
    System.arraycopy(passing, 0, order, 0, count);
    int k = Math.min(topK, count);
    // Selection sort of the first k: k is small, and it needs no boxing or comparator objects.
    for (int i = 0; i < k; i++) {
      int min = i;
      for (int j = i + 1; j < count; j++) {
        if (compare(candidates, metrics, order[j], order[min]) < 0) {
          min = j;
        }
      }
      int t = order[i];
      order[i] = order[min];
      order[min] = t;
    }
    return order[random.nextInt(k)];
  }

  private static <I extends InstanceView> int compare(List<I> candidates,
      List<Metric<I>> metrics, int a, int b) {
    I x = candidates.get(a);
    I y = candidates.get(b);
    for (int m = 0; m < metrics.size(); m++) {
      int c = Double.compare(metrics.get(m).value(x), metrics.get(m).value(y));
      if (c != 0) {
        return c;
      }
    }
    return x.id().compareTo(y.id());
  }

  @Override
  public String toString() {
    return "metricBased(topK=" + topK + ")";
  }

}
