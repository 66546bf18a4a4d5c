package io.llumnix.scheduler.lrs;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Table rows for lite mode's load-balance, over instances with the LRS counts given. */
class LitePoliciesTest {

  /** One row: an instance on {@code host} holding {@code requests} requests of {@code tokens}. */
  record Load(String host, int requests, long tokens) {}

  static List<LrsInstance> instances(Load... loads) {
    LocalRealtimeState lrs = new LocalRealtimeState(ComponentMetrics.createWithoutRuntime(100));
    lrs.registerGateway("g");
    for (Load load : loads) {
      LlmInstance instance = LlmInstance.ofEndpoint(load.host(), 8000);
      lrs.upsertInstance(instance);
      for (int r = 0; r < load.requests(); r++) {
        lrs.allocate(load.host() + r, instance.canonicalId(), "g",
            r == 0 ? load.tokens() : 0);
      }
    }
    return lrs.instances(InferType.NEUTRAL);
  }

  static PolicyProfile<LrsInstance> profile(String metric, double threshold, int topK) {
    return LitePolicies.loadBalance(PolicyConfig.builder().topK(topK).seed(1)
        .loadMetric(InferType.NEUTRAL, metric).loadThreshold(InferType.NEUTRAL, threshold)
        .build()).profile(InferType.NEUTRAL);
  }

  static String pick(PolicyProfile<LrsInstance> profile, List<LrsInstance> candidates) {
    return candidates.get(profile.select(candidates)).instance().host();
  }

  @Test
  void picksTheFewestRequests() {
    List<LrsInstance> views = instances(new Load("a", 3, 10), new Load("b", 1, 900),
        new Load("c", 2, 5));
    assertThat(pick(profile("num_requests", 100, 1), views)).isEqualTo("b");
  }

  @Test
  void picksTheFewestTokensForAnyOtherMetricName() {
    List<LrsInstance> views = instances(new Load("a", 3, 10), new Load("b", 1, 900),
        new Load("c", 2, 5));
    assertThat(pick(profile("num_tokens", 10_000, 1), views)).isEqualTo("c");
    assertThat(pick(profile("all_prefills_tokens_num", 10_000, 1), views)).isEqualTo("c");
  }

  @Test
  void tiesGoToTheLowestInstanceId() {
    List<LrsInstance> views = instances(new Load("c", 1, 0), new Load("a", 1, 0),
        new Load("b", 1, 0));
    assertThat(pick(profile("num_requests", 100, 1), views)).isEqualTo("a");
  }

  @Test
  void topKPicksOnlyAmongTheKBest() {
    List<LrsInstance> views = instances(new Load("a", 9, 0), new Load("b", 0, 0),
        new Load("c", 1, 0), new Load("d", 7, 0));
    PolicyProfile<LrsInstance> profile = profile("num_requests", 100, 2);
    for (int i = 0; i < 100; i++) {
      assertThat(pick(profile, views)).isIn("b", "c");
    }
  }

  @Test
  void overTheThresholdEverywhereTheLeastLoadedStillWins() {
    List<LrsInstance> views = instances(new Load("a", 9, 0), new Load("b", 6, 0));
    assertThat(pick(profile("num_requests", 5, 1), views)).isEqualTo("b");
  }
}
