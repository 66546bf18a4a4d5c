package io.llumnix.enginesim.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.llumlet.api.MigrationOrder;
import io.llumnix.llumlet.api.MigrationRule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigrationSelectorTest {

  static final RequestListener NOBODY = new RequestListener() {
    @Override
    public void onToken(SimRequest request, String text, long timeNanos) {}

    @Override
    public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {}
  };

  /** A request of {@code prompt} tokens with {@code output} tokens so far. */
  static SimRequest request(String id, int prompt, int output) {
    return SimRequest.resumed(id, new int[prompt], 1000, true, 0, 1000, List.of(), new int[0],
        1, output, "", NOBODY);
  }

  static final SimRequest W1 = request("w1", 10, 0);
  static final SimRequest W2 = request("w2", 20, 0);
  static final SimRequest R1 = request("r1", 100, 5); // oldest running, length 105
  static final SimRequest R2 = request("r2", 10, 2); // length 12
  static final SimRequest R3 = request("r3", 50, 50); // newest, length 100
  static final SimRequest PREFILLING = request("p", 500, 0); // no output yet
  static final List<SimRequest> WAITING = List.of(W1, W2);
  static final List<SimRequest> RUNNING = List.of(R1, R2, R3, PREFILLING);

  static List<String> ids(MigrationRule rule, MigrationOrder order, long budget) {
    return ids(rule, order, budget, Set.of());
  }

  static List<String> ids(MigrationRule rule, MigrationOrder order, long budget,
      Set<String> migrating) {
    return MigrationSelector.select(WAITING, RUNNING, rule, order, budget, migrating::contains)
        .stream().map(SimRequest::id).toList();
  }

  @Test
  void ordersPickRunningOrWaitingRequestsAsNamed() {
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.FCR, 9)).containsExactly("r1", "r2",
        "r3");
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.LCR, 9)).containsExactly("r3", "r2",
        "r1");
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.SR, 9)).containsExactly("r2", "r3",
        "r1");
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.LR, 9)).containsExactly("r1", "r3",
        "r2");
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.FCW, 9)).containsExactly("w1", "w2");
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.FCWSR, 9))
        .containsExactly("w1", "w2", "r2", "r3", "r1");
  }

  @Test
  void rulesBoundTheChoice() {
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.SR, 1)).containsExactly("r2");
    // 12 + 100 tokens fit in 120, the next (105) does not.
    assertThat(ids(MigrationRule.TOKEN, MigrationOrder.SR, 120)).containsExactly("r2", "r3");
    assertThat(ids(MigrationRule.RATIO, MigrationOrder.LR, 104)).isEmpty();
  }

  @Test
  void minusOneTakesEveryCandidateAndMigratingOnesAreSkipped() {
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.LR, -1))
        .containsExactly("w1", "w2", "r1", "r2", "r3");
    assertThat(ids(MigrationRule.NUM_REQ, MigrationOrder.FCR, 9, Set.of("r1")))
        .containsExactly("r2", "r3");
  }
}
