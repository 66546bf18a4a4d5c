package io.llumnix.scheduler.policy;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Keeps choosing the instance it chose last while that one passes the filters; otherwise the
 * first passing candidate (views order them by id, so the choice is deterministic), which it
 * then keeps. Piling every request onto one instance is the point: {@code flood} makes the
 * imbalance that rescheduling is there to undo.
 */
final class StickySelector<I extends InstanceView> implements Selector<I> {

  /** The id chosen last; kept through a round with no candidate, so it is taken back after. */
  private @Nullable String last;

  @Override
  public int select(List<I> candidates, int[] passing, int count, List<Metric<I>> metrics) {
    if (count == 0) {
      return -1;
    }
    String kept = last;
    if (kept != null) {
      for (int i = 0; i < count; i++) {
        if (candidates.get(passing[i]).id().equals(kept)) {
          return passing[i];
        }
      }
    }
    last = candidates.get(passing[0]).id();
    return passing[0];
  }

  @Override
  public String toString() {
    return "sticky(" + last + ")";
  }
}
