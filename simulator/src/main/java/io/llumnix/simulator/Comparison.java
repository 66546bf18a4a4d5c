package io.llumnix.simulator;

import io.llumnix.simulator.report.PolicyResult;
import io.llumnix.simulator.report.SimulationReport;
import io.llumnix.simulator.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Several policies over the same workload, one after the other, each on a fresh cluster and a
 * fresh copy of the workload from the same seed, so that they differ only by the policy.
 *
 * @param workloads a new, identical workload each call
 * @param description the settings as the report shows them
 */
public record Comparison(SimulationSettings settings, List<PolicyChoice> policies,
    Supplier<Workload> workloads, Map<String, String> description) {

  /** Runs every policy; {@code progress} hears each result as it is ready. */
  public SimulationReport run(Consumer<PolicyResult> progress) {
    List<PolicyResult> results = new ArrayList<>();
    for (PolicyChoice policy : policies) {
      Workload workload = workloads.get();
      try {
        PolicyResult result = Simulation.run(settings, policy, workload);
        results.add(result);
        progress.accept(result);
      } finally {
        if (workload instanceof AutoCloseable closeable) {
          try {
            closeable.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return new SimulationReport(description, results);
  }
}
