package io.llumnix.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Invariants every registered policy keeps, whatever its selector. */
class PolicyContractTest {

  record View(LlmInstance instance, int numRequests, long numTokens) implements InstanceView {}

  static View view(int i, int requests) {
    return new View(LlmInstance.ofEndpoint("10.0.0." + i, 8000), requests, requests * 100L);
  }

  static PolicyConfig config(int topK, long seed) {
    return new PolicyConfig(topK, Map.of(InferType.NEUTRAL, "num_requests"),
        Map.of(InferType.NEUTRAL, 5.0), seed);
  }

  static Stream<String> allPolicies() {
    return PolicyRegistry.builtins().factories().stream().map(PolicyRegistry.Factory::name);
  }

  static PolicyProfile neutral(String name, int topK, long seed) {
    return PolicyRegistry.builtins().create(name, config(topK, seed)).profile(InferType.NEUTRAL);
  }

  @ParameterizedTest
  @MethodSource("allPolicies")
  void noCandidatesMeansNoPick(String name) {
    assertThat(neutral(name, 1, 0).select(List.of())).isEqualTo(-1);
  }

  @ParameterizedTest
  @MethodSource("allPolicies")
  void neverPicksAFilteredOutInstanceWhileOthersPass(String name) {
    PolicyProfile profile = neutral(name, 2, 3);
    // Instances 0, 2, 4 are at the threshold (5 requests); 1, 3 are below.
    List<View> views = IntStream.range(0, 5).mapToObj(i -> view(i, i % 2 == 0 ? 5 : 1)).toList();
    for (int round = 0; round < 50; round++) {
      int pick = profile.select(views);
      assertThat(pick).isBetween(0, 4);
      for (Filter filter : profile.filters()) {
        assertThat(filter.accept(views.get(pick))).as("%s picked %s", name, pick).isTrue();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("allPolicies")
  void fallsBackToSkippableFiltersWhenNothingPasses(String name) {
    List<View> views = IntStream.range(0, 3).mapToObj(i -> view(i, 10 + i)).toList();
    assertThat(neutral(name, 1, 0).select(views)).isBetween(0, 2);
  }

  @ParameterizedTest
  @MethodSource("allPolicies")
  void isDeterministicForASeed(String name) {
    List<View> views = IntStream.range(0, 8).mapToObj(i -> view(i, i % 3)).toList();
    assertThat(picks(neutral(name, 3, 42), views)).isEqualTo(picks(neutral(name, 3, 42), views));
  }

  private static List<Integer> picks(PolicyProfile profile, List<View> views) {
    List<Integer> picks = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      picks.add(profile.select(views));
    }
    return picks;
  }

  @ParameterizedTest
  @MethodSource("allPolicies")
  void servesEveryInferType(String name) {
    DispatchPolicy policy = PolicyRegistry.builtins().create(name, PolicyConfig.liteDefaults());
    for (InferType type : InferType.values()) {
      assertThat(policy.profile(type)).as("%s for %s", name, type).isNotNull();
    }
  }
}
