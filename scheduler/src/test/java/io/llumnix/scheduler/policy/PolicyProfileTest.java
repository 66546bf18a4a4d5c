package io.llumnix.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.LlmInstance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The filter passes of a profile, over a plain view (pure logic). */
class PolicyProfileTest {

  record View(String host, int numRequests, long numTokens, boolean healthy)
      implements InstanceView {
    @Override
    public LlmInstance instance() {
      return LlmInstance.ofEndpoint(host, 8000);
    }
  }

  /** Rejects unhealthy instances; its rejection is a failure. */
  record Healthy() implements Filter<View> {
    @Override
    public boolean accept(View instance) {
      return instance.healthy();
    }

    @Override
    public boolean rejectionIsFailure() {
      return true;
    }
  }

  /** A global filter that keeps every candidate and adds the verdicts it heard to {@code rows}. */
  static GlobalFilter<View> recording(List<List<Boolean>> rows) {
    return (candidates, failed, passing, count) -> {
      List<Boolean> row = new ArrayList<>();
      for (int i = 0; i < candidates.size(); i++) {
        row.add(failed[i]);
      }
      rows.add(row);
      return count;
    };
  }

  @Test
  void globalFiltersRunAfterSingleFiltersInBothPasses() {
    List<View> views = List.of(new View("a", 0, 0, true), new View("b", 1, 0, true),
        new View("c", 9, 0, true));
    // Keeps only instances whose host is not "a": as a failover domain would drop a node.
    GlobalFilter<View> notA = (candidates, failed, passing, count) -> {
      int kept = 0;
      for (int i = 0; i < count; i++) {
        if (!candidates.get(passing[i]).instance().host().equals("a")) {
          passing[kept++] = passing[i];
        }
      }
      return kept;
    };
    Metric<View> metric = Metric.numRequests();
    PolicyProfile<View> profile = new PolicyProfile<>(List.of(metric),
        List.of(Filter.metricBelow(metric, 5)), List.of(notA), Selector.metricBased(1, 0));
    assertThat(profile.select(views)).isEqualTo(1);
    List<View> allLoaded = List.of(new View("a", 7, 0, true), new View("c", 9, 0, true));
    assertThat(profile.select(allLoaded)).isEqualTo(1); // fallback drops the metric filter only
  }

  @Test
  void globalFiltersHearWhichCandidatesFailedAndOnlyThose() {
    List<View> views = List.of(new View("a", 0, 0, false), new View("b", 9, 0, true),
        new View("c", 1, 0, true));
    List<List<Boolean>> verdicts = new ArrayList<>();
    GlobalFilter<View> recorder = recording(verdicts);
    Metric<View> metric = Metric.numRequests();
    PolicyProfile<View> profile = new PolicyProfile<>(List.of(metric),
        List.of(new Healthy(), Filter.metricBelow(metric, 5)), List.of(recorder),
        Selector.metricBased(1, 0));
    assertThat(profile.select(views)).isEqualTo(2);
    // "a" failed; "b" was only too busy (a skippable filter), which is no failure.
    assertThat(verdicts).containsExactly(List.of(true, false, false));
    // A second selection starts from fresh verdicts.
    List<View> healthy = List.of(new View("a", 0, 0, true), new View("b", 0, 0, true));
    profile.select(healthy);
    assertThat(verdicts.get(1)).containsExactly(false, false);
  }

  @Test
  void aCandidateStopsAtTheFirstFilterThatRejectsIt() {
    List<List<Boolean>> verdicts = new ArrayList<>();
    GlobalFilter<View> recorder = recording(verdicts);
    Metric<View> metric = Metric.numRequests();
    // The load filter comes first here: "a", busy and unhealthy, is only busy, as it never
    // meets the health filter; "c", healthy but busy, passes nothing either.
    PolicyProfile<View> profile = new PolicyProfile<>(List.of(metric),
        List.of(Filter.metricBelow(metric, 5), new Healthy()), List.of(recorder),
        Selector.metricBased(1, 0));
    List<View> views = List.of(new View("a", 9, 0, false), new View("b", 3, 0, true),
        new View("c", 8, 0, true), new View("d", 1, 0, false));
    assertThat(profile.select(views)).isEqualTo(1);
    assertThat(verdicts).containsExactly(List.of(false, false, false, true));
    // With every candidate busy, the fallback pass meets the health filter alone (the first
    // pass kept none, so the global filter heard only the second).
    List<View> busy = List.of(new View("a", 9, 0, false), new View("c", 8, 0, true));
    assertThat(profile.select(busy)).isEqualTo(1);
    assertThat(verdicts).hasSize(2);
    assertThat(verdicts.get(1)).containsExactly(true, false);
  }

  @Test
  void filtersPastTheThirdRunInOrderToo() {
    List<List<Boolean>> verdicts = new ArrayList<>();
    Metric<View> metric = Metric.numRequests();
    Filter<View> any = instance -> true;
    // Four filters: the fourth, past the three with call sites of their own, is the busy one.
    PolicyProfile<View> profile = new PolicyProfile<>(List.of(metric),
        List.of(any, any, new Healthy(), Filter.metricBelow(metric, 5)),
        List.of(recording(verdicts)), Selector.metricBased(1, 0));
    List<View> views = List.of(new View("a", 9, 0, true), new View("b", 3, 0, false),
        new View("c", 4, 0, true));
    assertThat(profile.select(views)).isEqualTo(2);
    assertThat(verdicts).containsExactly(List.of(false, true, false));
    // All busy or failed: the fallback pass drops the fourth and keeps the healthy one.
    List<View> busy = List.of(new View("a", 9, 0, true), new View("b", 3, 0, false));
    assertThat(profile.select(busy)).isEqualTo(0);
    assertThat(verdicts.get(verdicts.size() - 1)).containsExactly(false, true);
  }
}
