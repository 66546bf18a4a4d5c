package io.llumnix.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.core.instance.InferType;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.llumnix.simulator.report.JsonReport;
import io.llumnix.simulator.report.PolicyResult;
import io.llumnix.simulator.report.SimulationReport;
import io.llumnix.simulator.workload.Arrivals;
import io.llumnix.simulator.workload.Lengths;
import io.llumnix.simulator.workload.SyntheticWorkload;
import io.llumnix.simulator.workload.Workload;
import io.llumnix.simulator.workload.WorkloadRequest;
import io.llumnix.simulator.workload.WorkloadSpec;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole simulations: determinism, conservation, and that the production scheduler decides. */
class SimulationTest {

  /** A small cluster that a few hundred requests load: KV for about 40 requests each. */
  static final CoreConfig SMALL = CoreConfig.builder().numGpuBlocks(1200).maxModelLen(4096)
      .seed(3).build();

  static SimulationSettings settings(int instances) {
    return SimulationSettings.builder().instances(instances).core(SMALL).seed(5)
        .slo(2000, 100).build();
  }

  static SyntheticWorkload workload(WorkloadSpec spec, double rate, double seconds) {
    return new SyntheticWorkload(spec, rate, seconds, 0, SMALL.maxModelLen(), 11);
  }

  /** Counts what the simulation pulls and what it asked for. */
  static final class Counting implements Workload {
    final Workload inner;
    long requests;
    long outputTokens;

    Counting(Workload inner) {
      this.inner = inner;
    }

    @Override
    public @Nullable WorkloadRequest next() {
      return count(inner.next());
    }

    @Override
    public @Nullable WorkloadRequest followUp(WorkloadRequest request, long finishNanos) {
      return count(inner.followUp(request, finishNanos));
    }

    private @Nullable WorkloadRequest count(@Nullable WorkloadRequest request) {
      if (request != null) {
        requests++;
        outputTokens += request.outputTokens();
      }
      return request;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"round-robin", "lite:load-balance", "full:load-balance"})
  void sameSeedSameReport(String policy) {
    String first = report(policy);
    String second = report(policy);

    assertThat(second).isEqualTo(first);
    assertThat(first).contains("\"" + policy + "\"", "\"ttft_ms\"", "\"p99\"");
  }

  private static String report(String policies, int parallelism) {
    Comparison comparison = new Comparison(settings(3), PolicyChoice.parseList(policies),
        () -> workload(WorkloadSpec.sharegpt(), 40, 8), Map.of("seed", "5"), parallelism);
    return JsonReport.render(comparison.run(result -> { }));
  }

  private static String report(String policy) {
    return report(policy, 1);
  }

  @Test
  void policiesRunAtOnceReportWhatTheyReportOneByOne() {
    String policies = "round-robin,lite:load-balance,full:load-balance";

    assertThat(report(policies, 3)).isEqualTo(report(policies, 1));
  }

  static final WorkloadSpec SESSIONS = new WorkloadSpec("sessions",
      WorkloadSpec.sharegpt().arrivals(), new Lengths.LogNormal(200, 1),
      new Lengths.LogNormal(150, 1), 5, 300, 3, 0.5);

  @Test
  void everyPolicySeesTheSameSessionsThoughTheirTurnsEndInAnotherOrder() {
    Counting first = new Counting(workload(SESSIONS, 30, 10));
    Counting second = new Counting(workload(SESSIONS, 30, 10));

    PolicyResult a = Simulation.run(settings(3), PolicyChoice.parse("round-robin"), first);
    PolicyResult b = Simulation.run(settings(3), PolicyChoice.parse("full:load-balance"), second);

    assertThat(a.e2eMs().p50()).isNotEqualTo(b.e2eMs().p50()); // the order did differ
    assertThat(second.requests).isEqualTo(first.requests);
    assertThat(second.outputTokens).isEqualTo(first.outputTokens);
  }

  @ParameterizedTest
  @ValueSource(strings = {"round-robin", "lite:load-balance", "full:load-balance"})
  void everyRequestEndsOnceWithEveryTokenItAskedFor(String policy) {
    Counting workload = new Counting(workload(SESSIONS, 30, 10));
    ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(100);

    PolicyResult result = new Simulation(settings(3), PolicyChoice.parse(policy), workload,
        metrics).run();

    assertThat(workload.requests).isGreaterThan(300); // first turns and follow-ups
    assertThat(result.completed() + result.rejected()).isEqualTo(workload.requests);
    assertThat(result.rejected()).isZero();
    assertThat(Math.round(result.throughputTokS() * result.virtualSeconds()))
        .isCloseTo(workload.outputTokens, org.assertj.core.data.Offset.offset(2L));
    assertThat(result.ttftMs().count()).isEqualTo(result.completed());
    assertThat(result.prefixCacheHitRatio()).as("turns reuse their history").isGreaterThan(0.3);
    // The production dispatcher decided every request: its own counter says so.
    assertThat(metrics.scrape(null)).containsPattern(
        "scheduler_scheduling_total(\\{[^}]*\\})? " + workload.requests + "(\\.0)?\\n");
  }

  @Test
  void theReschedulerMovesFloodedRequestsAndLosesNone() {
    // flood sends every request to one instance; the rescheduler's neutral_load moves them to
    // the idle ones (thresholds 0, one request a pair a round), as the reference's migration
    // test runs it.
    SimulationSettings settings = SimulationSettings.builder().instances(4).core(SMALL).seed(5)
        .rescheduling(ReschedulingConfig.builder().policies("neutral_load")
            .loadThreshold(InferType.NEUTRAL, 0).loadBalanceThreshold(0).reqSelectRule("NUM_REQ")
            .reqSelectOrder("SR").reqSelectValue(1).build())
        .build();
    WorkloadSpec fixed = new WorkloadSpec("fixed", WorkloadSpec.sharegpt().arrivals(),
        new Lengths.Fixed(512), new Lengths.Fixed(512), 0, 0, 1, 0);
    Counting plain = new Counting(workload(fixed, 8, 20));
    Counting moved = new Counting(workload(fixed, 8, 20));

    PolicyResult flood = Simulation.run(settings, PolicyChoice.parse("flood"), plain);
    PolicyResult rescheduled = Simulation.run(settings,
        PolicyChoice.parse("flood+rescheduling"), moved);

    assertThat(rescheduled.completed()).isEqualTo(flood.completed()).isEqualTo(plain.requests);
    assertThat(moved.outputTokens).isEqualTo(plain.outputTokens);
    assertThat(rescheduled.preemptions()).isLessThan(flood.preemptions());
    assertThat(rescheduled.tpotMs().p99()).isLessThan(flood.tpotMs().p99());
    assertThat(rescheduled.ttftMs().p99()).isLessThan(flood.ttftMs().p99());
  }

  @Test
  void reschedulingNeedsFullMode() {
    assertThatThrownBy(() -> PolicyChoice.parse("lite:load-balance+rescheduling"))
        .hasMessageContaining("full mode");
    assertThat(PolicyChoice.parse("flood+rescheduling").rescheduling()).isTrue();
  }

  @Test
  void anOverloadedClusterPreemptsAndQueuesButLosesNothing() {
    Counting workload = new Counting(workload(WorkloadSpec.sharegpt(), 400, 3));

    PolicyResult result = Simulation.run(settings(2), PolicyChoice.parse("round-robin"),
        workload);

    assertThat(result.completed() + result.rejected()).isEqualTo(workload.requests);
    assertThat(result.preemptions()).isPositive();
    assertThat(result.ttftMs().p99()).isGreaterThan(1000);
  }

  @Test
  void loadAwarePoliciesSpreadRequestsByLoad() {
    SimulationReport report = new Comparison(settings(4),
        PolicyChoice.parseList("round-robin,full:load-balance"),
        () -> workload(WorkloadSpec.sharegpt(), 120, 20), Map.of()).run(result -> { });

    List<PolicyResult> results = report.policies();
    assertThat(results).extracting(PolicyResult::name)
        .containsExactly("round-robin", "full:load-balance");
    assertThat(results.get(1).completed()).isEqualTo(results.get(0).completed());
    assertThat(results.get(0).load().requests()).hasNumberOfRows(4);
    assertThat(results.get(0).load().requests()[0].length).isGreaterThan(15);
  }

  /** 24 tenants of 1,500-token prefixes: twice what one instance of {@link #SMALL} holds. */
  static final WorkloadSpec TENANTS = new WorkloadSpec("tenants", new Arrivals.Poisson(),
      new Lengths.Fixed(100), new Lengths.Fixed(32), 24, 1500, 1, 0);

  @Test
  void cacheAwareSchedulingSendsTenantsWhereTheirPrefixIs() {
    SimulationReport report = new Comparison(settings(4),
        PolicyChoice.parseList("full:load-balance,cache-aware"),
        () -> workload(TENANTS, 20, 20), Map.of()).run(result -> { });

    PolicyResult balanced = report.policies().get(0);
    PolicyResult cacheAware = report.policies().get(1);
    assertThat(cacheAware.completed()).isEqualTo(balanced.completed());
    assertThat(cacheAware.prefixCacheHitRatio()).isGreaterThan(0.8)
        .isGreaterThan(balanced.prefixCacheHitRatio() + 0.2);
    assertThat(cacheAware.ttftMs().p50()).isLessThan(balanced.ttftMs().p50());
  }
}
