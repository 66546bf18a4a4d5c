package io.llumnix.gateway.route;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code prefix}: the entry whose {@code prefix} is the request's model exactly, else the one
 * whose {@code prefix*} is the longest that starts it; a request without a model stays on
 * the local cluster, as in the reference.
 */
final class PrefixPolicy implements RoutePolicy {

  @Override
  public Route choose(List<RouteEntry> entries, String model, RandomGenerator random) {
    if (model.isEmpty()) {
      return Route.INTERNAL;
    }
    RouteEntry best = null;
    int bestLength = -1;
    for (RouteEntry entry : entries) {
      String prefix = entry.prefix();
      if (prefix.endsWith("*")) {
        int length = prefix.length() - 1;
        if (length > bestLength && model.startsWith(prefix.substring(0, length))) {
          best = entry;
          bestLength = length;
        }
      } else if (prefix.equals(model)) {
        return Route.to(entry);
      }
    }
    return best == null ? Route.UNMATCHED : Route.to(best);
  }
}
