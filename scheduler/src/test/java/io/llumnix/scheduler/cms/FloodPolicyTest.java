package io.llumnix.scheduler.cms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.dispatch.Mode;
import io.llumnix.scheduler.dispatch.PolicyRegistry;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code flood}: one instance takes everything while it may. */
class FloodPolicyTest {

  final ManualClock clock = ManualClock.at(100_000);
  final CmsView view;
  final DispatchPolicy<CmsInstance> flood =
      PolicyRegistry.builtins().create(Mode.FULL, "flood", PolicyConfig.defaults(), clock);
  int update;

  FloodPolicyTest() {
    ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    view = new CmsView(metrics, true, 10, false, clock);
    List<InstanceMetadata> all = new ArrayList<>();
    for (String id : List.of("n0", "n1", "n2", "p0", "p1")) {
      all.add(InstanceMetadata.newBuilder().setInstanceId(id)
          .setInstanceType(id.startsWith("p") ? "prefill" : "neutral").setIp("10.0.0.1")
          .setApiServerPort(8000 + all.size()).setNodeId("node-" + id)
          .setUnitId("unit-" + id).setDataParallelSize(1).build());
    }
    view.applyMetadata(all);
    for (InstanceMetadata m : all) {
      status(m.getInstanceId(), true, 0);
    }
  }

  void status(String id, boolean schedulable, int usedTokens) {
    update++;
    view.acceptStatus(InstanceStatus.newBuilder().setInstanceId(id).setSchedulable(schedulable)
        .setTimestampMs(clock.epochMillis() + update).setUpdateId(update)
        .setNumTotalGpuTokens(1000).setNumUsedGpuTokens(usedTokens).build());
  }

  String pick(InferType type) {
    List<CmsInstance> candidates = view.instances(type);
    int index = flood.profile(type).select(candidates);
    if (index < 0) {
      return "none";
    }
    view.account().add(candidates.get(index), "r" + update++, type, 100, 100);
    return candidates.get(index).id();
  }

  @Test
  void everyRequestGoesToOneInstanceWhateverItsLoad() {
    for (int i = 0; i < 20; i++) {
      assertThat(pick(InferType.NEUTRAL)).isEqualTo("n0");
    }
    status("n0", true, 990); // nearly full: flood does not look
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n0");
  }

  @Test
  void aFailedInstanceHandsOverToTheNextWhichThenKeepsIt() {
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n0");
    status("n0", false, 0);
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n1");
    status("n0", true, 0); // back, but n1 is the one remembered now
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n1");
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n1");
  }

  @Test
  void aStaleInstanceHandsOverToo() {
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n0");
    clock.advanceMillis(62_000); // 61 whole seconds: past --instance-staleness-seconds 60
    status("n2", true, 0); // the only fresh one
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n2");
    status("n0", true, 0);
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n2");
  }

  @Test
  void eachTypeKeepsItsOwnInstance() {
    for (int i = 0; i < 3; i++) {
      assertThat(pick(InferType.NEUTRAL)).isEqualTo("n0");
      assertThat(pick(InferType.PREFILL)).isEqualTo("p0");
    }
    status("p0", false, 0);
    assertThat(pick(InferType.PREFILL)).isEqualTo("p1");
    assertThat(pick(InferType.NEUTRAL)).isEqualTo("n0");
  }

  @Test
  void noCandidateGivesNoneAndTheChoiceSurvivesIt() {
    assertThat(pick(InferType.PREFILL)).isEqualTo("p0");
    status("p0", false, 0);
    status("p1", false, 0);
    assertThat(pick(InferType.PREFILL)).isEqualTo("none"); // no fallback past failures
    status("p1", true, 0);
    status("p0", true, 0);
    assertThat(pick(InferType.PREFILL)).isEqualTo("p0");
  }

  @Test
  void isAFullModePolicyOnly() {
    assertThat(PolicyRegistry.builtins().names(Mode.FULL)).contains("load-balance", "flood");
    assertThat(SchedulerConfig.builder().policy("flood").build().policy()).isEqualTo("flood");
    assertThatThrownBy(() -> SchedulerConfig.builder().fullMode(false).policy("flood")
        .policyConfig(PolicyConfig.liteDefaults()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--scheduling-policy flood: lite mode has [load-balance, round-robin] "
            + "(full mode has flood)");
  }
}
