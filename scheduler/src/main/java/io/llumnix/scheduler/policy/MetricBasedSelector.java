package io.llumnix.scheduler.policy;

import java.util.List;
import java.util.SplittableRandom;

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
  private double[] bestValues = new double[4];

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
      return least(candidates, passing, count, metrics);
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

  /**
   * The least loaded of the passing candidates. The best so far keeps its metric values, so
   * each comparison computes only the candidate's, and only as far as the tie goes (most
   * candidates tie on the first metric).
   */
  private int least(List<I> candidates, int[] passing, int count, List<Metric<I>> metrics) {
    int m = metrics.size();
    if (bestValues.length < m) {
      bestValues = new double[m];
    }
    int best = passing[0];
    I bestInstance = candidates.get(best);
    int known = 0; // metrics of the best computed so far
    for (int i = 1; i < count; i++) {
      I candidate = candidates.get(passing[i]);
      int c = 0;
      for (int k = 0; k < m && c == 0; k++) {
        if (k == known) {
          bestValues[known++] = metrics.get(k).value(bestInstance);
        }
        c = Double.compare(metrics.get(k).value(candidate), bestValues[k]);
      }
      if (c < 0 || (c == 0 && candidate.id().compareTo(bestInstance.id()) < 0)) {
        best = passing[i];
        bestInstance = candidate;
        known = 0;
      }
    }
    return best;
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
