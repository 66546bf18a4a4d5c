package io.llumnix.simulator.report;

import java.util.List;
import java.util.Map;

/**
 * A whole {@code llumnix simulate} run: the settings it ran with (in display order, for the
 * reader) and one result per policy, the first being the baseline the others are compared to.
 */
public record SimulationReport(Map<String, String> settings, List<PolicyResult> policies) {

  public SimulationReport {
    settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    policies = List.copyOf(policies);
  }
}
