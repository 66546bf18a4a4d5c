package io.llumnix.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Table rows for the lite load-balance policy and the registry. */
class LoadBalanceTest {

  record View(String host, int numRequests, long numTokens) implements InstanceView {
    @Override
    public LlmInstance instance() {
      return LlmInstance.ofEndpoint(host, 8000);
    }
  }

  static PolicyProfile profile(String metric, double threshold, int topK) {
    return PolicyRegistry.builtins().create("load-balance", new PolicyConfig(topK,
        Map.of(InferType.NEUTRAL, metric), Map.of(InferType.NEUTRAL, threshold), 1))
        .profile(InferType.NEUTRAL);
  }

  @Test
  void picksTheFewestRequests() {
    List<View> views = List.of(new View("a", 3, 10), new View("b", 1, 900), new View("c", 2, 5));
    assertThat(profile("num_requests", 100, 1).select(views)).isEqualTo(1);
  }

  @Test
  void picksTheFewestTokensForAnyOtherMetricName() {
    List<View> views = List.of(new View("a", 3, 10), new View("b", 1, 900), new View("c", 2, 5));
    assertThat(profile("num_tokens", 10_000, 1).select(views)).isEqualTo(2);
    assertThat(profile("all_prefills_tokens_num", 10_000, 1).select(views)).isEqualTo(2);
  }

  @Test
  void tiesGoToTheLowestInstanceId() {
    List<View> views = List.of(new View("c", 1, 0), new View("a", 1, 0), new View("b", 1, 0));
    assertThat(profile("num_requests", 100, 1).select(views)).isEqualTo(1);
  }

  @Test
  void topKPicksOnlyAmongTheKBest() {
    List<View> views = List.of(new View("a", 9, 0), new View("b", 0, 0), new View("c", 1, 0),
        new View("d", 7, 0));
    PolicyProfile profile = profile("num_requests", 100, 2);
    for (int i = 0; i < 100; i++) {
      assertThat(profile.select(views)).isIn(1, 2);
    }
  }

  @Test
  void unknownPolicyNamesListTheKnownOnes() {
    assertThatThrownBy(() -> PolicyRegistry.builtins().create("flood", PolicyConfig.liteDefaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown scheduling policy: flood (expected one of: [load-balance, "
            + "round-robin])");
  }

  @Test
  void globalFiltersRunAfterSingleFiltersInBothPasses() {
    List<View> views = List.of(new View("a", 0, 0), new View("b", 1, 0), new View("c", 9, 0));
    // Keeps only instances whose host is not "a": as a failover domain would drop a node.
    GlobalFilter notA = (candidates, passing, count) -> {
      int kept = 0;
      for (int i = 0; i < count; i++) {
        if (!candidates.get(passing[i]).instance().host().equals("a")) {
          passing[kept++] = passing[i];
        }
      }
      return kept;
    };
    Metric metric = Metric.numRequests();
    PolicyProfile profile = new PolicyProfile(List.of(metric),
        List.of(Filter.metricBelow(metric, 5)), List.of(notA), Selector.metricBased(1, 0));
    assertThat(profile.select(views)).isEqualTo(1);
    List<View> allLoaded = List.of(new View("a", 7, 0), new View("c", 9, 0));
    assertThat(profile.select(allLoaded)).isEqualTo(1); // fallback drops the metric filter only
  }
}
