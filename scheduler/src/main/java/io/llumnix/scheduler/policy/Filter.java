package io.llumnix.scheduler.policy;

/**
 * Decides whether one instance may take the request.
 *
 * @param <I> the view it reads
 */
public interface Filter<I extends InstanceView> {

  boolean accept(I instance);

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
    public boolean skippableOnFallback() {
      return true;
    }
  }
}
