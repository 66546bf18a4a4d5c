package io.llumnix.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.InferType;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants every registered policy of both modes keeps, through the dispatcher and a real
 * view of its mode. Each case makes the policy's selector choose, so none passes vacuously.
 */
class PolicyContractTest {

  static Stream<PolicyRegistry.Entry<?>> allPolicies() {
    List<PolicyRegistry.Entry<?>> entries = PolicyRegistry.builtins().entries();
    assertThat(entries).extracting(e -> e.mode().name()).contains("lite", "full");
    return entries.stream();
  }

  /**
   * The policies that balance: all but {@code flood}, which piles everything onto one instance
   * by design (its own test checks that it does).
   */
  static Stream<PolicyRegistry.Entry<?>> balancingPolicies() {
    return allPolicies().filter(e -> !e.name().equals("flood"));
  }

  static Clusters<?> cluster(PolicyRegistry.Entry<?> entry, int topK, long seed) {
    return Clusters.of(entry, PolicyConfig.builder().topK(topK).seed(seed)
        .loadMetric(InferType.NEUTRAL, "num_requests")
        .loadThreshold(InferType.NEUTRAL, 4).build());
  }

  static Clusters<?> neutral(PolicyRegistry.Entry<?> entry, int instances) {
    Clusters<?> cluster = cluster(entry, 1, 0);
    for (int i = 0; i < instances; i++) {
      cluster.add("n" + i, InferType.NEUTRAL);
    }
    return cluster;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPolicies")
  void anEmptyClusterHasNoInstanceToGive(PolicyRegistry.Entry<?> entry) {
    assertThat(cluster(entry, 1, 0).schedule(SchedulingMode.NEUTRAL, SchedulingStage.PREFILL))
        .isEqualTo(new Outcome.Failed(429, "no available endpoint"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("balancingPolicies")
  void aBurstIsSpreadOverIdenticalIdleInstances(PolicyRegistry.Entry<?> entry) {
    Clusters<?> cluster = neutral(entry, 4);
    Map<String, Integer> perInstance = new TreeMap<>();
    for (int i = 0; i < 12; i++) {
      perInstance.merge(cluster.neutral(), 1, Integer::sum);
    }
    assertThat(perInstance).as("%s", entry.name()).containsOnlyKeys("n0", "n1", "n2", "n3")
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPolicies")
  void neverGivesAnInstanceThatCannotServe(PolicyRegistry.Entry<?> entry) {
    Clusters<?> cluster = neutral(entry, 4);
    cluster.breakInstance("n1");
    cluster.breakInstance("n2");
    for (int i = 0; i < 40; i++) {
      assertThat(cluster.neutral()).isIn("n0", "n3");
    }
    if (cluster instanceof Clusters.Full full) { // and one whose status went stale
      full.silence("n3", 61);
      for (int i = 0; i < 10; i++) {
        assertThat(cluster.neutral()).isEqualTo("n0");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPolicies")
  void aLoadedClusterStillGetsAnInstance(PolicyRegistry.Entry<?> entry) {
    Clusters<?> cluster = neutral(entry, 2);
    for (int i = 0; i < 30; i++) { // far past the threshold of 4 requests each
      assertThat(cluster.neutral()).isIn("n0", "n1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPolicies")
  void isDeterministicForASeed(PolicyRegistry.Entry<?> entry) {
    assertThat(picks(entry, 42)).isEqualTo(picks(entry, 42));
  }

  private static List<String> picks(PolicyRegistry.Entry<?> entry, long seed) {
    Clusters<?> cluster = cluster(entry, 3, seed);
    for (int i = 0; i < 8; i++) {
      cluster.add("n" + i, InferType.NEUTRAL);
    }
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      picks.add(cluster.neutral());
    }
    return picks;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPolicies")
  void prefillAndDecodeComeFromTheirOwnGroups(PolicyRegistry.Entry<?> entry) {
    Clusters<?> cluster = cluster(entry, 1, 0);
    cluster.add("p0", InferType.PREFILL);
    cluster.add("p1", InferType.PREFILL);
    cluster.add("d0", InferType.DECODE);
    cluster.add("n0", InferType.NEUTRAL);
    for (int i = 0; i < 6; i++) {
      List<String> batch = Clusters.ids(cluster.schedule(SchedulingMode.PD_BATCH,
          SchedulingStage.PREFILL));
      assertThat(batch).hasSize(2);
      assertThat(batch.get(0)).isIn("p0", "p1");
      assertThat(batch.get(1)).isEqualTo("d0");
      assertThat(Clusters.ids(cluster.schedule(SchedulingMode.PD_STAGED,
          SchedulingStage.DECODE))).containsExactly("d0");
      assertThat(cluster.neutral()).isEqualTo("n0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPolicies")
  void releasingEveryRequestEmptiesTheBookkeeping(PolicyRegistry.Entry<?> entry) {
    Clusters<?> cluster = neutral(entry, 3);
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      outcomes.add(cluster.schedule(SchedulingMode.NEUTRAL, SchedulingStage.PREFILL));
    }
    assertThat(cluster.held()).isEqualTo(9);
    for (Outcome outcome : outcomes) {
      cluster.dispatcher.release(((Outcome.Scheduled) outcome).answer());
    }
    assertThat(cluster.held()).isZero();
  }
}
