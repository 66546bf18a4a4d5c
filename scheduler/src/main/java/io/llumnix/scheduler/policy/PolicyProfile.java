package io.llumnix.scheduler.policy;

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
 * <p>The filters run in one pass over the candidates, the first three each called from a call
 * site of its own: the JIT then inlines each one's {@code accept}, and a candidate's fields,
 * read by the first filter, are still in the cache for the others. A loop over a list of
 * filters calls every filter from one site, through an interface dispatch; run filter by
 * filter, it reads every candidate once per filter: at a thousand instances, either made a
 * decision twice as long.
 *
 * @param <I> the view its parts read
 */
public final class PolicyProfile<I extends InstanceView> {

  private final List<Metric<I>> metrics;
  private final List<Filter<I>> filters;
  private final List<GlobalFilter<I>> globalFilters;
  private final Selector<I> selector;
  /** The filters after the third, called from one site (no built-in policy has more). */
  private final List<Filter<I>> more;
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
    this.more = this.filters.subList(Math.min(3, this.filters.size()), this.filters.size());
  }

  /** Accepts every instance: an empty slot, or a filter the fallback pass skips. */
  private static final Filter<InstanceView> ACCEPT = instance -> true;

  @SuppressWarnings("unchecked")
  private static <I extends InstanceView> Filter<I> accept() {
    return (Filter<I>) ACCEPT;
  }

  private Filter<I> slot(int i) {
    return i < filters.size() ? filters.get(i) : accept();
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
    Filter<I> a = inPass(slot(0), fallback);
    Filter<I> b = inPass(slot(1), fallback);
    Filter<I> c = inPass(slot(2), fallback);
    for (int f = 0; f < filters.size(); f++) {
      filters.get(f).prepare();
    }
    // Only global filters read the verdicts: without them there is nothing to record.
    boolean verdicts = !globalFilters.isEmpty();
    int count = 0;
    for (int i = 0; i < candidates.size(); i++) {
      I candidate = candidates.get(i);
      // The first filter that rejects the candidate, in order, or null.
      @Nullable Filter<I> rejecting = !a.accept(candidate) ? a : !b.accept(candidate) ? b
          : !c.accept(candidate) ? c : more.isEmpty() ? null : rejecting(candidate, fallback);
      if (rejecting == null) {
        passing[count++] = i;
      }
      if (verdicts) {
        failed[i] = rejecting != null && rejecting.rejectionIsFailure();
      }
    }
    for (int g = 0; g < globalFilters.size() && count > 0; g++) {
      count = globalFilters.get(g).filter(candidates, failed, passing, count);
    }
    return count;
  }

  private Filter<I> inPass(Filter<I> filter, boolean fallback) {
    return fallback && filter.skippableOnFallback() ? accept() : filter;
  }

  private @Nullable Filter<I> rejecting(I candidate, boolean fallback) {
    for (int f = 0; f < more.size(); f++) {
      Filter<I> filter = inPass(more.get(f), fallback);
      if (!filter.accept(candidate)) {
        return filter;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "PolicyProfile[metrics=" + metrics.stream().map(Metric::metricName).toList()
        + ", filters=" + filters + ", global=" + globalFilters + ", selector=" + selector + "]";
  }
}
