package io.llumnix.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.simulator.report.PolicyResult;
import io.llumnix.simulator.workload.SyntheticWorkload;
import io.llumnix.simulator.workload.WorkloadSpec;
import org.junit.jupiter.api.Test;

/** The measured capacity is a real bound: under it the cluster keeps up, over it it does not. */
class CapacityTest {

  @Test
  void underCapacityQueuesStayShortAndOverItTheyGrow() {
    SimulationSettings settings = SimulationTest.settings(2);
    double capacity = Capacity.requestsPerSecond(settings, WorkloadSpec.sharegpt());

    PolicyResult under = run(settings, 0.6 * capacity);
    PolicyResult over = run(settings, 1.5 * capacity);

    assertThat(capacity).isPositive();
    assertThat(under.ttftMs().p50()).isLessThan(500);
    assertThat(over.ttftMs().p50()).isGreaterThan(5 * under.ttftMs().p50());
  }

  private static PolicyResult run(SimulationSettings settings, double rate) {
    return Simulation.run(settings, PolicyChoice.parse("lite:load-balance"),
        new SyntheticWorkload(WorkloadSpec.sharegpt(), rate, 60, 0, 4096, 2));
  }
}
