package io.llumnix.scheduler.policy;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether one instance may take the request.
 *
 * @param <I> the view it reads
 */
public interface Filter<I extends InstanceView> {

  boolean accept(I instance);

  /**
   * Keeps, of the candidates at {@code passing[0, count)}, those this filter accepts, in order,
   * and returns how many; marks in {@code failed}, unless it is null, those it rejects when
   * {@linkplain #rejectionIsFailure() a rejection is a failure}.
   *
   * <p>A filter on the hot path overrides this with {@code return retainAccepted(this, ...)},
   * which looks the same but compiles the loop for its class alone, with its {@code accept}
   * inlined: one loop shared by every filter calls each through an interface dispatch, which
   * cost a sixth of a decision's time at a thousand instances.
   */
  default int retain(List<? extends I> candidates, int[] passing, int count,
      boolean @Nullable [] failed) {
    return retainAccepted(this, candidates, passing, count, failed);
  }

  /** The loop of {@link #retain}, for {@code filter}. */
  static <I extends InstanceView> int retainAccepted(Filter<I> filter,
      List<? extends I> candidates, int[] passing, int count, boolean @Nullable [] failed) {
    boolean mark = failed != null && filter.rejectionIsFailure();
    int kept = 0;
    for (int i = 0; i < count; i++) {
      int index = passing[i];
      if (filter.accept(candidates.get(index))) {
        passing[kept++] = index;
      } else if (mark) {
        failed[index] = true;
      }
    }
    return kept;
  }

  /**
   * Called once before each pass over the candidates, so that a filter reading something
   * shared by all of them (the clock) reads it once per decision rather than per instance.
   */
  default void prepare() {}

  /** Whether the fallback pass, run when no instance passes, drops this filter. */
  default boolean skippableOnFallback() {
    return false;
  }

  /**
   * Whether a rejection means the instance failed (it cannot serve at all, as opposed to being
   * busy): the failover filter then takes its failure domain out too.
   */
  default boolean rejectionIsFailure() {
    return false;
  }

  /**
   * Accepts instances whose {@code metric} is below {@code threshold}; dropped on fallback, so
   * that a fully loaded cluster still gets its least loaded instance.
   */
  static <I extends InstanceView> Filter<I> metricBelow(Metric<I> metric, double threshold) {
    return new MetricBelow<>(metric, threshold);
  }

  /** See {@link #metricBelow}. */
  record MetricBelow<I extends InstanceView>(Metric<I> metric, double threshold)
      implements Filter<I> {
    @Override
    public boolean accept(I instance) {
      return metric.value(instance) < threshold;
    }

    @Override
    public int retain(List<? extends I> candidates, int[] passing, int count,
        boolean @Nullable [] failed) {
      return retainAccepted(this, candidates, passing, count, failed);
    }

    @Override
    public boolean skippableOnFallback() {
      return true;
    }
  }
}
