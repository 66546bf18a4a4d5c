package io.llumnix.gateway.route;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code weight}: each entry gets its weight's share of requests, drawn uniformly over the
 * cumulative weights (the reference's draw). All weights 0 match nothing.
 */
final class WeightPolicy implements RoutePolicy {

  @Override
  public Route choose(List<RouteEntry> entries, String model, RandomGenerator random) {
    int total = 0;
    for (RouteEntry entry : entries) {
      total += entry.weight();
    }
    if (total == 0) {
      return Route.UNMATCHED;
    }
    int draw = random.nextInt(total);
    for (RouteEntry entry : entries) {
      draw -= entry.weight();
      if (draw < 0) {
        return Route.to(entry);
      }
    }
    throw new AssertionError("a draw below the total weight matches an entry");
  }
}
