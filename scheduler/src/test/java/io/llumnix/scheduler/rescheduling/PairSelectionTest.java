package io.llumnix.scheduler.rescheduling;

import static io.llumnix.core.instance.InferType.DECODE;
import static io.llumnix.core.instance.InferType.NEUTRAL;
import static io.llumnix.core.instance.InferType.PREFILL;
import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.scheduler.cms.FullModePolicies.FailoverDomain;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Which pairs each rescheduling policy chooses, over CMS views built by hand. */
class PairSelectionTest {

  final TestCluster cluster = new TestCluster();

  /** The round's pairs as "policy: src -> dst". */
  List<String> pairs(UnaryOperator<ReschedulingConfig.Builder> settings) {
    return pairs(settings, FailoverDomain.INSTANCE_UNIT);
  }

  List<String> pairs(UnaryOperator<ReschedulingConfig.Builder> settings, FailoverDomain domain) {
    PairSelection selection = new PairSelection(settings.apply(ReschedulingConfig.builder())
        .build(), 60, domain, cluster.clock);
    return selection.select(cluster.view).stream()
        .map(p -> p.policy().policyName() + ": " + p.srcId() + " -> " + p.dstId()).toList();
  }

  List<String> defaults() {
    return pairs(b -> b);
  }

  @Test
  void anOverloadedDecodeInstanceSendsToTheLeastLoaded() {
    cluster.add("d0", DECODE, 1.2).add("d1", DECODE, 0.3).add("d2", DECODE, 0.1);
    PairSelection selection = new PairSelection(ReschedulingConfig.builder().build(), 60,
        FailoverDomain.INSTANCE_UNIT, cluster.clock);
    List<MigrationPair> pairs = selection.select(cluster.view);
    assertThat(pairs).hasSize(1);
    MigrationPair pair = pairs.get(0);
    assertThat(pair.srcId()).isEqualTo("d0");
    assertThat(pair.dstId()).isEqualTo("d2");
    assertThat(pair.selection()).isEqualTo(new RequestSelection(
        io.llumnix.llumlet.api.MigrationRule.TOKEN, io.llumnix.llumlet.api.MigrationOrder.SR,
        1024));
  }

  @Test
  void nothingMovesWhileNoInstanceReachesTheThreshold() {
    cluster.add("d0", DECODE, 0.95).add("d1", DECODE, 0.1);
    assertThat(defaults()).isEmpty();
    // Without a threshold every instance may be a source.
    assertThat(pairs(b -> b.loadThreshold(DECODE, 0))).containsExactly("decode_load: d0 -> d1");
  }

  @Test
  void theMostLoadedPairWithTheLeastLoadedAndSoOn() {
    cluster.add("d0", DECODE, 1.5).add("d1", DECODE, 1.2).add("d2", DECODE, 0.1)
        .add("d3", DECODE, 0.4);
    assertThat(pairs(b -> b.loadBalanceThreshold(0)))
        .containsExactly("decode_load: d0 -> d2", "decode_load: d1 -> d3");
    // A pair whose loads differ by less than the balance threshold is dropped.
    assertThat(pairs(b -> b.loadBalanceThreshold(0.9))).containsExactly("decode_load: d0 -> d2");
  }

  @Test
  void tiesGoByInstanceId() {
    cluster.add("d3", DECODE, 0.2).add("d1", DECODE, 1.3).add("d0", DECODE, 1.3)
        .add("d2", DECODE, 0.2);
    assertThat(defaults()).containsExactly("decode_load: d0 -> d2", "decode_load: d1 -> d3");
  }

  @Test
  void pairingStopsWhereSourcesAreNoLongerAboveDestinations() {
    cluster.add("d0", DECODE, 0.9).add("d1", DECODE, 0.5).add("d2", DECODE, 0.1);
    // No threshold: all three are sources and destinations; d1 would be paired with itself.
    assertThat(pairs(b -> b.loadThreshold(DECODE, 0).loadBalanceThreshold(0)))
        .containsExactly("decode_load: d0 -> d2");
  }

  @Test
  void theBalanceThresholdComparesAsTheReferencesFloatsDo() {
    cluster.add("d0", DECODE, 0.9).add("d1", DECODE, 0.2);
    // 0.9 - 0.2 falls just short of 0.7 in double arithmetic, not in float.
    assertThat(pairs(b -> b.loadThreshold(DECODE, 0)))
        .containsExactly("decode_load: d0 -> d1");
  }

  @Test
  void neutralLoadBalancesNeutralInstancesOnly() {
    cluster.add("n0", NEUTRAL, 1.4).add("n1", NEUTRAL, 0.2).add("d0", DECODE, 1.4)
        .add("p0", PREFILL, 0.1);
    assertThat(pairs(b -> b.policies("neutral_load")))
        .containsExactly("neutral_load: n0 -> n1");
    assertThat(defaults()).isEmpty(); // decode_load: d0 has no decode to go to
  }

  @Test
  void failedInstancesAreLeftToFailover() {
    cluster.add("d0", DECODE, 1.5).add("d1", DECODE, 0.2).add("d2", DECODE, 0.1)
        .status("d0", false, 1.5);
    assertThat(defaults()).containsExactly("decode_failover: d0 -> d1");
  }

  @Test
  void unitScopePairsWithinAUnitWhateverTheLoadLevel() {
    cluster.add(cluster.metadata("d0", DECODE).setUnitId("u1").setDataParallelSize(2).build(), 0.9)
        .add(cluster.metadata("d1", DECODE).setUnitId("u1").setDataParallelSize(2).build(), 0.7)
        .add(cluster.metadata("d2", DECODE).setUnitId("u2").setDataParallelSize(2).build(), 0.2)
        .add(cluster.metadata("d3", DECODE).setUnitId("u2").setDataParallelSize(2).build(), 0.1)
        .add(cluster.metadata("d4", DECODE).setUnitId("").setDataParallelSize(2).build(), 0.0);
    assertThat(pairs(b -> b.scope("unit").loadBalanceThreshold(0.05)))
        .containsExactly("decode_load: d0 -> d1", "decode_load: d2 -> d3");
    // Cluster scope (no threshold either) pairs across units, d4 included.
    assertThat(pairs(b -> b.loadThreshold(DECODE, 0).loadBalanceThreshold(0.05)))
        .containsExactly("decode_load: d0 -> d4", "decode_load: d1 -> d3");
  }

  @Test
  void failoverMovesEverythingOffFailedInstancesRoundRobin() {
    cluster.add("d0", DECODE, 0.1).add("d1", DECODE, 0.1).add("d2", DECODE, 0.1)
        .addStale("d3", DECODE, 0.1).add("d4", DECODE, 0.1).status("d0", false, 0.1)
        .status("d2", false, 0.1);
    PairSelection selection = new PairSelection(ReschedulingConfig.builder()
        .policies("decode_failover").build(), 60, FailoverDomain.INSTANCE, cluster.clock);
    List<MigrationPair> pairs = selection.select(cluster.view);
    assertThat(pairs).extracting(p -> p.srcId() + "->" + p.dstId())
        .containsExactly("d0->d1", "d2->d4", "d3->d1");
    assertThat(pairs).allSatisfy(p -> assertThat(p.selection())
        .isEqualTo(RequestSelection.FAILOVER));
  }

  @Test
  void failoverNeedsAHealthyDestinationOfTheSameType() {
    cluster.add("p0", PREFILL, 0.1).add("d0", DECODE, 0.1).status("p0", false, 0.1);
    assertThat(defaults()).isEmpty();
    cluster.add("p1", PREFILL, 0.5);
    assertThat(defaults()).containsExactly("prefill_failover: p0 -> p1");
  }

  @Test
  void theFailoverDomainReachesAcrossTypes() {
    cluster.add(cluster.metadata("p0", PREFILL).setNodeId("n1").build(), 0.1)
        .add(cluster.metadata("d0", DECODE).setNodeId("n1").build(), 0.1)
        .add(cluster.metadata("d1", DECODE).setNodeId("n2").build(), 0.1)
        .add(cluster.metadata("p1", PREFILL).setNodeId("n2").build(), 0.1)
        .status("p0", false, 0.1);
    // node: d0 shares p0's node, so it is drained too (and neither is a load destination).
    assertThat(pairs(b -> b, FailoverDomain.NODE))
        .containsExactly("prefill_failover: p0 -> p1", "decode_failover: d0 -> d1");
    assertThat(pairs(b -> b, FailoverDomain.INSTANCE))
        .containsExactly("prefill_failover: p0 -> p1");
  }

  @Test
  void aDataParallelUnitFailsOverTogether() {
    cluster.add(cluster.metadata("n0", NEUTRAL).setUnitId("u1").setDataParallelSize(2).build(), 0)
        .add(cluster.metadata("n1", NEUTRAL).setUnitId("u1").setDataParallelSize(2).build(), 0)
        .add(cluster.metadata("n2", NEUTRAL).setUnitId("u2").setDataParallelSize(2).build(), 0)
        .status("n1", false, 0);
    assertThat(defaults()).containsExactly("neutral_failover: n0 -> n2",
        "neutral_failover: n1 -> n2");
  }

  @Test
  void policiesRunInTheirConfiguredOrder() {
    cluster.add("d0", DECODE, 1.5).add("d1", DECODE, 0.1).add("d2", DECODE, 0.1)
        .add("n0", NEUTRAL, 1.5).add("n1", NEUTRAL, 0.1).status("d2", false, 0.1);
    assertThat(pairs(b -> b.policies("neutral_load, decode_failover,decode_load,neutral_load")))
        .containsExactly("neutral_load: n0 -> n1", "decode_failover: d2 -> d0",
            "decode_load: d0 -> d1");
  }

  @Test
  void aPairReversingAnAcceptedOneIsRecognised() {
    cluster.add("a", DECODE, 0).add("b", DECODE, 0);
    MigrationPair ab = new MigrationPair(ReschedulingPolicy.DECODE_LOAD,
        cluster.metadataOf("a"), cluster.metadataOf("b"), RequestSelection.FAILOVER);
    MigrationPair ba = new MigrationPair(ReschedulingPolicy.DECODE_FAILOVER,
        cluster.metadataOf("b"), cluster.metadataOf("a"), RequestSelection.FAILOVER);
    assertThat(ba.reverses(ab)).isTrue();
    assertThat(ab.reverses(ab)).isFalse();
  }

  @Test
  void nothingIsChosenFromAnEmptyView() {
    assertThat(defaults()).isEmpty();
  }
}
