package io.llumnix.scheduler.lrs;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.lrs.LocalRealtimeState.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalRealtimeStateTest {

  ComponentMetrics metrics;
  LocalRealtimeState lrs;
  LlmInstance a = new LlmInstance(1, "a", "m", InferType.NEUTRAL, "h", 8000, "", 0, 0, 0);

  @BeforeEach
  void setUp() {
    metrics = ComponentMetrics.create(100);
    lrs = new LocalRealtimeState(metrics);
    lrs.upsertInstance(a);
    lrs.registerGateway("g:1");
  }

  String gauges() {
    return metrics.scrape(null);
  }

  @Test
  void allocatesUpdatesMarksAndReleases() {
    assertThat(lrs.allocate("r1", "a", "g:1", 100)).isEqualTo(Outcome.OK);
    assertThat(lrs.updateTokens("r1", "a", "g:1", 150)).isEqualTo(Outcome.OK);
    assertThat(lrs.updateTokens("r1", "a", "g:1", 120)).isEqualTo(Outcome.OK); // never lowers
    var state = lrs.instance("a");
    assertThat(state.numTokens()).isEqualTo(150);
    assertThat(state.numWaitingTokens()).isEqualTo(150);
    assertThat(lrs.prefillDone("r1", "a", "g:1")).isEqualTo(Outcome.OK);
    assertThat(state.numWaitingRequests()).isZero();
    assertThat(gauges()).contains(
        "instance_lrs_running_tokens{infer_type=\"neutral\",instance_id=\"h:8000\",model=\"m\"} 150.0",
        "instance_lrs_waiting_requests{infer_type=\"neutral\",instance_id=\"h:8000\",model=\"m\"} 0.0");
    assertThat(lrs.release("r1", "a")).isEqualTo(Outcome.OK);
    assertThat(state.numRequests()).isZero();
    assertThat(state.numTokens()).isZero();
    assertThat(gauges()).contains(
        "instance_lrs_total_tokens{infer_type=\"neutral\",instance_id=\"h:8000\",model=\"m\"} 0.0");
  }

  @Test
  void refusesWhatItCannotTrack() {
    assertThat(lrs.allocate("r1", "nope", "g:1", 1)).isEqualTo(Outcome.UNKNOWN_INSTANCE);
    assertThat(lrs.allocate("r1", "a", "unregistered:1", 1)).isEqualTo(Outcome.UNKNOWN_GATEWAY);
    assertThat(lrs.allocate("r1", "a", "g:1", 1)).isEqualTo(Outcome.OK);
    assertThat(lrs.allocate("r1", "a", "g:1", 1)).isEqualTo(Outcome.DUPLICATE_REQUEST);
    lrs.registerGateway("other:2");
    assertThat(lrs.updateTokens("r1", "a", "other:2", 5)).isEqualTo(Outcome.GATEWAY_MISMATCH);
    assertThat(lrs.release("r2", "a")).isEqualTo(Outcome.UNKNOWN_REQUEST);
  }

  @Test
  void aGatewayGoneReleasesAllItsRequests() {
    lrs.registerGateway("g:2");
    lrs.allocate("r1", "a", "g:1", 10);
    lrs.allocate("r2", "a", "g:1", 20);
    lrs.allocate("r3", "a", "g:2", 30);
    assertThat(lrs.gatewayGone("g:1")).isEqualTo(2);
    assertThat(lrs.instance("a").numRequests()).isEqualTo(1);
    assertThat(lrs.instance("a").numTokens()).isEqualTo(30);
    assertThat(lrs.allocate("r4", "a", "g:1", 1)).isEqualTo(Outcome.UNKNOWN_GATEWAY);
  }

  @Test
  void aHigherVersionStartsAgainAndALowerOneIsIgnored() {
    lrs.allocate("r1", "a", "g:1", 10);
    assertThat(lrs.upsertInstance(a)).isFalse();
    assertThat(lrs.instance("a").numRequests()).isEqualTo(1);
    LlmInstance newer = new LlmInstance(2, "a", "m", InferType.NEUTRAL, "h", 8000, "", 0, 0, 0);
    assertThat(lrs.upsertInstance(newer)).isTrue();
    assertThat(lrs.instance("a").numRequests()).isZero();
    assertThat(lrs.release("r1", "a")).isEqualTo(Outcome.UNKNOWN_REQUEST);
  }

  @Test
  void removingAnInstanceDropsItsRequestsAndSeries() {
    lrs.allocate("r1", "a", "g:1", 10);
    assertThat(lrs.removeInstance("a")).isTrue();
    assertThat(lrs.instances(InferType.NEUTRAL)).isEmpty();
    assertThat(gauges()).doesNotContain("instance_id=\"h:8000\"");
    assertThat(lrs.gatewayGone("g:1")).isZero();
  }
}
