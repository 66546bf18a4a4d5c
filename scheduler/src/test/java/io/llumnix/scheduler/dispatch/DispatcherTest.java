package io.llumnix.scheduler.dispatch;

import static io.llumnix.scheduler.dispatch.Clusters.ids;
import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.InferType;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.cms.CmsInstance;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.testing.Exposition;
import org.junit.jupiter.api.Test;

/** The mode/stage switch and the view's bookkeeping, in both modes. */
class DispatcherTest {

  static Clusters<?> pd(String mode) {
    PolicyRegistry.Entry<?> entry = PolicyRegistry.builtins().entries().stream()
        .filter(e -> e.mode().name().equals(mode) && e.name().equals("load-balance"))
        .findFirst().orElseThrow();
    Clusters<?> cluster = Clusters.of(entry, PolicyConfig.defaults());
    cluster.add("p", InferType.PREFILL);
    cluster.add("d", InferType.DECODE);
    return cluster;
  }

  @Test
  void modesAndStagesInBothModes() {
    for (String mode : new String[] {"lite", "full"}) {
      Clusters<?> cluster = pd(mode);
      assertThat(ids(cluster.schedule(SchedulingMode.PD_BATCH, SchedulingStage.PREFILL)))
          .containsExactly("p", "d");
      assertThat(ids(cluster.schedule(SchedulingMode.PD_STAGED, SchedulingStage.PREFILL)))
          .containsExactly("p");
      assertThat(ids(cluster.schedule(SchedulingMode.PD_STAGED, SchedulingStage.DECODE)))
          .containsExactly("d");
      assertThat(cluster.schedule(SchedulingMode.NEUTRAL, SchedulingStage.PREFILL))
          .isEqualTo(new Outcome.Failed(429, "no available endpoint"));
    }
  }

  @Test
  void anInstanceReportedFailedIsPassedOverWhileItCoolsDownUnlessNoOtherIsLeft() {
    for (String mode : new String[] {"lite", "full"}) {
      Clusters<?> cluster = Clusters.of(PolicyRegistry.builtins().entries().stream()
          .filter(e -> e.mode().name().equals(mode) && e.name().equals("load-balance"))
          .findFirst().orElseThrow(), PolicyConfig.defaults());
      cluster.add("a", InferType.NEUTRAL);
      cluster.add("b", InferType.NEUTRAL);
      cluster.dispatcher.failed("a"); // a dead engine looks idle: without it, "a" wins
      for (int i = 0; i < 4; i++) {
        assertThat(cluster.neutral()).as(mode).isEqualTo("b");
      }
      cluster.clock.advanceMillis(Clusters.COOLDOWN_MILLIS);
      assertThat(cluster.neutral()).as(mode + ": cooled down, and the least loaded")
          .isEqualTo("a");
      cluster.dispatcher.failed("a");
      cluster.dispatcher.failed("b");
      assertThat(cluster.neutral()).as(mode + ": all cooling, all candidates").isNotNull();
    }
  }

  @Test
  void pdNeedsBothGroups() {
    Clusters<?> cluster = Clusters.of(PolicyRegistry.builtins().entries().get(0),
        PolicyConfig.defaults());
    cluster.add("p", InferType.PREFILL);
    assertThat(cluster.schedule(SchedulingMode.PD_BATCH, SchedulingStage.PREFILL))
        .isEqualTo(new Outcome.Failed(429, "no available endpoint"));
  }

  @Test
  void aPdBatchWithoutADecodeSideLeavesNothingCountedOnItsPrefill() {
    Clusters.Full cluster = (Clusters.Full) pd("full");
    cluster.breakInstance("d");
    assertThat(ids(cluster.schedule(SchedulingMode.PD_BATCH, SchedulingStage.PREFILL)))
        .containsExactly("p");
    CmsInstance prefill = cluster.view().instance("p");
    assertThat(prefill.inflightPrefillRequests()).isZero();
    assertThat(prefill.inflightPrefillTokens()).isZero();
    assertThat(prefill.inflightRequests()).isZero(); // the reference leaves this at 1
    assertThat(prefill.numWaitingRequests()).isZero();
  }

  @Test
  void anUnreadableCmsSaysSoAndIsCounted() {
    Clusters.Full cluster = (Clusters.Full) pd("full");
    cluster.view().alive(false);
    assertThat(cluster.schedule(SchedulingMode.NEUTRAL, SchedulingStage.PREFILL))
        .isEqualTo(new Outcome.Failed(400, "cms not available"));
    assertThat(Exposition.sample(cluster.metrics.scrape(null),
        "scheduler_scheduling_failed_total{error_type=\"cms_not_available\"}")).isEqualTo(1);
  }

  @Test
  void everyDecisionIsTimedInBothModes() {
    for (String mode : new String[] {"lite", "full"}) {
      Clusters<?> cluster = pd(mode);
      cluster.schedule(SchedulingMode.PD_BATCH, SchedulingStage.PREFILL);
      cluster.schedule(SchedulingMode.NEUTRAL, SchedulingStage.PREFILL); // 429: timed too
      assertThat(Exposition.sample(cluster.metrics.scrape(null),
          "request_full_mode_schedule_duration_milliseconds_count")).as(mode).isEqualTo(2);
    }
  }

  @Test
  void releaseNeedsAnInstance() {
    Clusters<?> cluster = pd("lite");
    Outcome.Scheduled scheduled = (Outcome.Scheduled) cluster.schedule(SchedulingMode.PD_BATCH,
        SchedulingStage.PREFILL);
    assertThat(cluster.dispatcher.release(scheduled.answer().withResult(java.util.List.of())))
        .isEqualTo(new Outcome.Failed(400, "ignore, release 0 request."));
  }
}
