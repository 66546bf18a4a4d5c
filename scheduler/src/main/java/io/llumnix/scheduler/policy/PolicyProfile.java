package io.llumnix.scheduler.policy;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How one infer type's instances are chosen: metrics (lower is better, compared in order),
 * single-instance filters, then global filters, and a selector.
 *
 * <p>{@link #select} runs the filters; when no instance passes, it runs them again without the
 * filters that are {@link Filter#skippableOnFallback() skippable on fallback}, and then lets the
 * selector choose. Global filters see which candidates a filter rejected as
 * {@linkplain Filter#rejectionIsFailure() failed}. Not thread-safe: scratch arrays are reused,
 * so a selection allocates nothing once they are large enough.
 *
 * @param <I> the view its parts read
 */
public final class PolicyProfile<I extends InstanceView> {

  private final List<Metric<I>> metrics;
  private final List<Filter<I>> filters;
  private final List<GlobalFilter<I>> globalFilters;
  private final Selector<I> selector;
  private int[] passing = new int[64];
  private boolean[] failed = new boolean[64];

  public PolicyProfile(List<Metric<I>> metrics, List<Filter<I>> filters, Selector<I> selector) {
    this(metrics, filters, List.of(), selector);
  }

  /** A profile whose global filters run after {@code filters}, in both passes. */
  public PolicyProfile(List<Metric<I>> metrics, List<Filter<I>> filters,
      List<GlobalFilter<I>> globalFilters, Selector<I> selector) {
    this.metrics = List.copyOf(metrics);
    this.filters = List.copyOf(filters);
    this.globalFilters = List.copyOf(globalFilters);
    this.selector = selector;
  }

  /** Returns the index in {@code candidates} of the chosen instance, or -1 when none may be. */
  public int select(List<I> candidates) {
    int n = candidates.size();
    if (n == 0) {
      return -1;
    }
    if (passing.length < n) {
      passing = new int[Math.max(n, passing.length * 2)];
      failed = new boolean[passing.length];
    }
    int count = filter(candidates, false);
    if (count == 0) {
      count = filter(candidates, true);
    }
    return selector.select(candidates, passing, count, metrics);
  }

  private int filter(List<I> candidates, boolean fallback) {
    int n = candidates.size();
    // Only global filters read the verdicts: without them there is nothing to record.
    boolean @Nullable [] verdicts = globalFilters.isEmpty() ? null : failed;
    if (verdicts != null) {
      Arrays.fill(verdicts, 0, n, false);
    }
    for (int i = 0; i < n; i++) {
      passing[i] = i;
    }
    // Filter by filter, each over those the last kept: a candidate meets the filters in order
    // and stops at the first that rejects it, as one candidate at a time would.
    int count = n;
    for (int f = 0; f < filters.size() && count > 0; f++) {
      Filter<I> filter = filters.get(f);
      if (fallback && filter.skippableOnFallback()) {
        continue;
      }
      filter.prepare();
      count = filter.retain(candidates, passing, count, verdicts);
    }
    for (int g = 0; g < globalFilters.size() && count > 0; g++) {
      count = globalFilters.get(g).filter(candidates, failed, passing, count);
    }
    return count;
  }

  @Override
  public String toString() {
    return "PolicyProfile[metrics=" + metrics.stream().map(Metric::metricName).toList()
        + ", filters=" + filters + ", global=" + globalFilters + ", selector=" + selector + "]";
  }
}
