package io.llumnix.scheduler.policy;

import java.util.List;

/**
 * How one infer type's instances are chosen: metrics (lower is better, compared in order),
 * single-instance filters, then global filters, and a selector.
 *
 * <p>{@link #select} runs the filters; when no instance passes, it runs them again without the
 * filters that are {@link Filter#skippableOnFallback() skippable on fallback}, and then lets the
 * selector choose. Not thread-safe: the scratch array is reused.
 */
public final class PolicyProfile {

  private final List<Metric> metrics;
  private final List<Filter> filters;
  private final List<GlobalFilter> globalFilters;
  private final Selector selector;
  private int[] passing = new int[64];

  public PolicyProfile(List<Metric> metrics, List<Filter> filters, Selector selector) {
    this(metrics, filters, List.of(), selector);
  }

  /** A profile whose global filters run after {@code filters}, in both passes. */
  public PolicyProfile(List<Metric> metrics, List<Filter> filters,
      List<GlobalFilter> globalFilters, Selector selector) {
    this.metrics = List.copyOf(metrics);
    this.filters = List.copyOf(filters);
    this.globalFilters = List.copyOf(globalFilters);
    this.selector = selector;
  }

  public List<Metric> metrics() {
    return metrics;
  }

  public List<Filter> filters() {
    return filters;
  }

  public Selector selector() {
    return selector;
  }

  /** Returns the index in {@code candidates} of the chosen instance, or -1 when it is empty. */
  public int select(List<? extends InstanceView> candidates) {
    int n = candidates.size();
    if (n == 0) {
      return -1;
    }
    if (passing.length < n) {
      passing = new int[Math.max(n, passing.length * 2)];
    }
    int count = filter(candidates, false);
    if (count == 0) {
      count = filter(candidates, true);
    }
    return selector.select(candidates, passing, count, metrics);
  }

  private int filter(List<? extends InstanceView> candidates, boolean fallback) {
    int count = 0;
    for (int i = 0; i < candidates.size(); i++) {
      InstanceView candidate = candidates.get(i);
      boolean accepted = true;
      for (int f = 0; f < filters.size() && accepted; f++) {
        Filter filter = filters.get(f);
        accepted = (fallback && filter.skippableOnFallback()) || filter.accept(candidate);
      }
      if (accepted) {
        passing[count++] = i;
      }
    }
    for (int g = 0; g < globalFilters.size() && count > 0; g++) {
      count = globalFilters.get(g).filter(candidates, passing, count);
    }
    return count;
  }

  @Override
  public String toString() {
    return "PolicyProfile[metrics=" + metrics.stream().map(Metric::metricName).toList()
        + ", filters=" + filters + ", selector=" + selector + "]";
  }
}
