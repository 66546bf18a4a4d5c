package io.llumnix.scheduler.policy;

/** Decides whether one instance may take the request. */
public interface Filter {

  boolean accept(InstanceView instance);

  /** Whether the fallback pass, run when no instance passes, drops this filter. */
  default boolean skippableOnFallback() {
    return false;
  }

  /**
   * Accepts instances whose {@code metric} is below {@code threshold}; dropped on fallback, so
   * that a fully loaded cluster still gets its least loaded instance.
   */
  static Filter metricBelow(Metric metric, double threshold) {
    return new MetricBelow(metric, threshold);
  }

  /** See {@link #metricBelow}. */
  record MetricBelow(Metric metric, double threshold) implements Filter {
    @Override
    public boolean accept(InstanceView instance) {
      return metric.value(instance) < threshold;
    }

    @Override
    public boolean skippableOnFallback() {
      return true;
    }
  }
}
