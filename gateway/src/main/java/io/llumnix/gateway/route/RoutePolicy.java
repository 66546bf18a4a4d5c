package io.llumnix.gateway.route;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Chooses a request's route from the config's entries (the {@code --route-policy}). A new
 * policy is one class plus one line in {@link RouteTable#POLICIES}.
 */
@FunctionalInterface
public interface RoutePolicy {

  /**
   * @param model the model the client named; empty when it named none
   */
  Route choose(List<RouteEntry> entries, String model, RandomGenerator random);
}
