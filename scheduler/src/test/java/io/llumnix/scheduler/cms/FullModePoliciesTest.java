package io.llumnix.scheduler.cms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.cms.FullModePolicies.FailoverDomain;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Full mode's filters and failover domains over a view built from CMS records. */
class FullModePoliciesTest {

  final ManualClock clock = ManualClock.at(100_000);

  /** Instances i0..i3: nodes n0,n0,n1,n1; DP units u0 (i0,i1... per dp) as given. */
  CmsView view(int dataParallelSize) {
    ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    CmsView view = new CmsView(metrics, true, 10, false, clock);
    List<InstanceMetadata> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(InstanceMetadata.newBuilder().setInstanceId("i" + i).setInstanceType("neutral")
          .setIp("10.0.0." + i).setApiServerPort(8000).setNodeId("n" + (i / 2))
          .setUnitId("u" + (i % 2)).setDataParallelSize(dataParallelSize).build());
    }
    view.applyMetadata(all);
    for (int i = 0; i < 4; i++) {
      view.acceptStatus(InstanceStatus.newBuilder().setInstanceId("i" + i).setSchedulable(true)
          .setTimestampMs(clock.epochMillis()).setUpdateId(1).setNumTotalGpuTokens(1000)
          .setNumUncomputedTokensAllWaitingPrefills(i * 10).build());
    }
    return view;
  }

  String pick(CmsView view, FailoverDomain domain) {
    DispatchPolicy<CmsInstance> policy = FullModePolicies.loadBalance(PolicyConfig.builder()
        .failoverDomain(domain.name().toLowerCase(Locale.ROOT).replace('_', '-')).build(), clock);
    List<CmsInstance> candidates = view.instances(InferType.NEUTRAL);
    int index = policy.profile(InferType.NEUTRAL).select(candidates);
    return index < 0 ? "none" : candidates.get(index).id();
  }

  void fail(CmsView view, String id) {
    CmsInstance instance = view.instance(id);
    view.acceptStatus(instance.status().toBuilder().setTimestampMs(clock.epochMillis() + 1)
        .setUpdateId(instance.status().getUpdateId() + 1).setSchedulable(false).build());
  }

  @Test
  void leastLoadedWinsAndAnUnschedulableInstanceIsSkipped() {
    CmsView view = view(1);
    assertThat(pick(view, FailoverDomain.INSTANCE)).isEqualTo("i0");
    fail(view, "i0");
    assertThat(pick(view, FailoverDomain.INSTANCE)).isEqualTo("i1");
  }

  @Test
  void aStaleInstanceIsSkipped() {
    CmsView view = view(1);
    clock.advanceMillis(61_000); // every status is now 61 s old
    view.acceptStatus(view.instance("i3").status().toBuilder().setTimestampMs(clock.epochMillis())
        .build());
    assertThat(pick(view, FailoverDomain.INSTANCE)).isEqualTo("i3");
  }

  @Test
  void stalenessCountsWholeSecondsAsTheReferenceDoes() {
    CmsView view = view(1);
    CmsInstance instance = view.instance("i0");
    FullModePolicies.Fresh fresh = new FullModePolicies.Fresh(60, clock);
    clock.advanceMillis(60_999); // floor(60.999 s) = 60: still fresh
    fresh.prepare();
    assertThat(fresh.accept(instance)).isTrue();
    clock.advanceMillis(1); // 61 s
    fresh.prepare();
    assertThat(fresh.accept(instance)).isFalse();
    // A status from the future (a llumlet's clock ahead) is fresh; with a negative bound only
    // such a status is, as floor(age) <= -1 says.
    FullModePolicies.Fresh never = new FullModePolicies.Fresh(-1, clock);
    never.prepare();
    assertThat(never.accept(instance)).isFalse();
    view.acceptStatus(instance.status().toBuilder().setUpdateId(2)
        .setTimestampMs(clock.epochMillis() + 1).build());
    assertThat(never.accept(instance)).isTrue();
    // Bounds past any clock neither overflow nor reject: only a status never reported fails.
    FullModePolicies.Fresh forever = new FullModePolicies.Fresh(Long.MAX_VALUE, clock);
    forever.prepare();
    assertThat(forever.accept(instance)).isTrue();
    assertThat(forever.accept(view.instance("i1"))).isTrue();
  }

  @Test
  void failoverDomains() {
    CmsView view = view(1);
    fail(view, "i0");
    // node: i1 shares n0 with the failed i0.
    assertThat(pick(view, FailoverDomain.NODE)).isEqualTo("i2");
    // instance-unit without data parallelism: the instance only.
    assertThat(pick(view, FailoverDomain.INSTANCE_UNIT)).isEqualTo("i1");

    CmsView dp = view(2);
    fail(dp, "i0");
    // instance-unit with data parallelism: i2 shares unit u0 with i0.
    assertThat(pick(dp, FailoverDomain.INSTANCE_UNIT)).isEqualTo("i1");
    fail(dp, "i1");
    // node-unit: n0 (i0, i1) and units u0, u1: everything.
    assertThat(pick(dp, FailoverDomain.NODE_UNIT)).isEqualTo("none");
    assertThat(pick(dp, FailoverDomain.NODE)).isEqualTo("i2");
  }

  @Test
  void theLocalAccountSpreadsABurstBeforeAnyStatusShowsIt() {
    CmsView view = view(1);
    int[] counts = new int[4];
    for (int r = 0; r < 64; r++) {
      String id = pick(view, FailoverDomain.INSTANCE);
      counts[id.charAt(1) - '0']++;
      view.account().add(view.instance(id), "r" + r, InferType.NEUTRAL, 100, 100);
    }
    int max = java.util.Arrays.stream(counts).max().orElseThrow();
    int min = java.util.Arrays.stream(counts).min().orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(2);
  }

  @Test
  void unknownDomainIsAClearError() {
    assertThatThrownBy(() -> FailoverDomain.of("rack"))
        .hasMessageContaining("instance, node, instance-unit, node-unit");
  }
}
