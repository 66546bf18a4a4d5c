package io.llumnix.scheduler.policy;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks one of the candidates that passed the filters. Selectors hold per-policy state (a
 * round-robin counter, a seeded random source) and run on the scheduler's single thread.
 *
 * @param <I> the view it reads
 */
public interface Selector<I extends InstanceView> {

  /**
   * Returns the index in {@code candidates} of the instance to use, {@code passing[0 .. count)}
   * being the indices that passed the filters; -1 when {@code count} is 0.
   */
  int select(List<I> candidates, int[] passing, int count, List<Metric<I>> metrics);

  /**
   * The lowest metrics win, compared in list order (ties to the lowest instance id); with
   * {@code topK} > 1 a uniformly random one of the {@code topK} best, from a source seeded
   * with {@code seed}.
   */
  static <I extends InstanceView> Selector<I> metricBased(int topK, long seed) {
    if (topK < 1) {
      throw new IllegalArgumentException("--dispatch-top-k: " + topK + " (expected: >= 1)");
    }
    return new MetricBasedSelector<>(topK, new SplittableRandom(seed));
  }

  /** Each candidate in turn, ordered by instance id. */
  static <I extends InstanceView> Selector<I> roundRobin() {
    return new RoundRobinSelector<>();
  }

  /**
   * The instance chosen last, while it is a candidate; else the first candidate (lowest id),
   * which is then kept. Holds one choice, so each profile needs its own.
   */
  static <I extends InstanceView> Selector<I> sticky() {
    return new StickySelector<>();
  }
}
