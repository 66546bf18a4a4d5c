package io.llumnix.scheduler.cms;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.cms.CmsView.Acceptance;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The full-mode view: acceptance of statuses, the local account, and the metric formulas. */
class CmsViewTest {

  final ManualClock clock = ManualClock.at(1_000_000);
  CmsView view;
  CmsInstance a;

  static InstanceMetadata metadata(String id, String type) {
    return InstanceMetadata.newBuilder().setInstanceId(id).setInstanceType(type).setIp("10.0.0.1")
        .setApiServerPort(8000).setKvtPort(28000).setNodeId("node-1").setUnitId(id)
        .setDataParallelSize(1).setUtcCreate(1.0).build();
  }

  static InstanceStatus.Builder status(String id, long timestamp, int update, int step) {
    return InstanceStatus.newBuilder().setInstanceId(id).setSchedulable(true)
        .setTimestampMs(timestamp).setUpdateId(update).setStepId(step)
        .setNumTotalGpuTokens(10_000);
  }

  @BeforeEach
  void setUp() {
    ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    view = new CmsView(metrics, true, 10, false, clock);
    view.applyMetadata(List.of(metadata("a", "neutral")));
    a = view.instance("a");
    view.acceptStatus(status("a", 1, 1, 1).build());
  }

  @Test
  void statusAcceptanceRules() {
    assertThat(a.status().getUpdateId()).isEqualTo(1);
    // Not newer: ignored.
    assertThat(view.acceptStatus(status("a", 1, 9, 9).build())).isEqualTo(Acceptance.IGNORED_OLD);
    // Newer, same update: only timestamp and schedulability.
    assertThat(view.acceptStatus(status("a", 2, 1, 1).setSchedulable(false)
        .setNumRunningRequests(7).build())).isEqualTo(Acceptance.TIMESTAMP_ONLY);
    assertThat(a.status().getTimestampMs()).isEqualTo(2);
    assertThat(a.status().getSchedulable()).isFalse();
    assertThat(a.status().getNumRunningRequests()).isZero();
    // Newer update: replaces.
    assertThat(view.acceptStatus(status("a", 3, 5, 4).setNumRunningRequests(7).build()))
        .isEqualTo(Acceptance.REPLACED);
    assertThat(a.status().getNumRunningRequests()).isEqualTo(7);
    // The engine restarted under the same id: update and step went back.
    assertThat(view.acceptStatus(status("a", 4, 1, 0).setNumRunningRequests(1).build()))
        .isEqualTo(Acceptance.RESTARTED);
    assertThat(a.status().getNumRunningRequests()).isEqualTo(1);
    assertThat(view.acceptStatus(status("zz", 9, 9, 9).build()))
        .isEqualTo(Acceptance.UNKNOWN_INSTANCE);
  }

  @Test
  void aNewUtcCreateIsARestartThatClearsTheAccount() {
    view.account().add(a, "r1", InferType.NEUTRAL, 100, 100);
    view.applyMetadata(List.of(metadata("a", "neutral").toBuilder().setUtcCreate(2.0).build()));
    assertThat(a.inflightRequests()).isZero();
    assertThat(view.account().size()).isZero();
    assertThat(view.acceptStatus(status("a", 5, 1, 1).build())).isEqualTo(Acceptance.REPLACED);
  }

  @Test
  void metadataDecidesMembership() {
    view.applyMetadata(List.of(metadata("a", "neutral"), metadata("p", "prefill")));
    assertThat(view.instances(InferType.PREFILL)).extracting(CmsInstance::id).containsExactly("p");
    view.applyMetadata(List.of(metadata("p", "prefill")));
    assertThat(view.instance("a")).isNull();
    assertThat(view.instances(InferType.NEUTRAL)).isEmpty();
  }

  @Test
  void addCountsByTypeAndASecondStageMakesTheEntryNeutral() {
    view.account().add(a, "r1", InferType.PREFILL, 100, 60);
    assertThat(a.inflightRequests()).isEqualTo(1);
    assertThat(a.inflightPrefillRequests()).isEqualTo(1);
    assertThat(a.inflightPrefillTokens()).isEqualTo(60);
    assertThat(a.inflightDecodeRequests()).isZero();
    view.account().add(a, "r1", InferType.PREFILL, 100, 60); // same type: no-op
    assertThat(a.inflightPrefillRequests()).isEqualTo(1);
    view.account().add(a, "r1", InferType.DECODE, 100, 60); // other stage: counted too
    assertThat(a.inflightRequests()).isEqualTo(1);
    assertThat(a.inflightDecodeRequests()).isEqualTo(1);
    assertThat(a.inflightDecodeTokens()).isEqualTo(100);
    view.account().add(a, "r1", InferType.PREFILL, 100, 60); // now neutral: no-op
    assertThat(a.inflightPrefillRequests()).isEqualTo(1);

    view.account().add(a, "r2", InferType.NEUTRAL, 50, 50);
    assertThat(a.inflightRequests()).isEqualTo(2);
    assertThat(a.inflightPrefillRequests()).isEqualTo(2);
    assertThat(a.inflightDecodeRequests()).isEqualTo(2);

    assertThat(view.account().release("r1")).isEqualTo(1);
    assertThat(view.account().release("r2")).isEqualTo(1);
    assertThat(a.inflightRequests()).isZero();
    assertThat(a.inflightPrefillTokens()).isZero();
    assertThat(a.inflightDecodeTokens()).isZero();
    assertThat(view.account().size()).isZero();
  }

  @Test
  void revertPrefillTakesBackTheWholeDispatchRequestCountIncluded() {
    view.account().add(a, "r1", InferType.PREFILL, 100, 80);
    assertThat(a.numWaitingRequests()).isEqualTo(1);
    view.account().revertPrefill(a, "r1");
    assertThat(a.inflightPrefillRequests()).isZero();
    assertThat(a.inflightPrefillTokens()).isZero();
    // Unlike the reference, which leaves A.req counted: the request is not on this instance.
    assertThat(a.inflightRequests()).isZero();
    assertThat(a.numWaitingRequests()).isZero();
    assertThat(view.account().size()).isZero();
  }

  @Test
  void reconcileRules() {
    view.account().add(a, "seen", InferType.NEUTRAL, 100, 100);
    view.account().add(a, "unseen", InferType.NEUTRAL, 40, 40);
    view.account().add(a, "stale", InferType.NEUTRAL, 10, 10);
    // (1) recently waiting: found, stops counting, entry kept while it waits.
    view.acceptStatus(status("a", 2, 2, 2).addRecentWaitingRequests("cmpl-seen-0")
        .addWaitingRequests("cmpl-seen-0").addWaitingRequests("cmpl-stale-0").build());
    assertThat(a.inflightRequests()).isEqualTo(2);
    assertThat(view.account().size()).isEqualTo(3);
    // (2) found and no longer waiting: the entry goes.
    view.acceptStatus(status("a", 3, 3, 3).addWaitingRequests("cmpl-stale-0").build());
    assertThat(view.account().size()).isEqualTo(2);
    assertThat(a.inflightRequests()).isEqualTo(2);
    // (3) never found, not waiting, older than the staleness: counters and entry go. An entry
    // still waiting survives.
    clock.advanceMillis(10_000);
    view.acceptStatus(status("a", 4, 4, 4).addWaitingRequests("cmpl-stale-0").build());
    assertThat(view.account().size()).isEqualTo(1);
    assertThat(a.inflightRequests()).isEqualTo(1);
    assertThat(a.inflightDecodeTokens()).isEqualTo(10);
    // A release of a found-and-dropped request changes nothing.
    assertThat(view.account().release("seen")).isZero();
  }

  /**
   * More than eight entries take the lookup for bursts: the same rules, over ids in every form
   * the trimming knows, and two whose trimmed hashes collide ("Aa" and "BB").
   */
  @Test
  void aBurstIsReconciledByTheSameRules() {
    List<String> ids = List.of("Aa", "BB", "r1", "r2", "r3", "1234-5678", "plain", "p+q",
        "late", "gone");
    for (String id : ids) {
      view.account().add(a, id, InferType.NEUTRAL, 10, 10);
    }
    assertThat(a.inflightRequests()).isEqualTo(10);
    // Listed as recently waiting, in the forms engines give: found, so no longer counted. "BB"
    // shares its hash with "Aa", which is listed, and "Ab" hashes as no entry does: neither
    // finds it. "p+q" is not found either: an engine id is trimmed at its '+'.
    view.acceptStatus(status("a", 2, 2, 2).addAllRecentWaitingRequests(List.of("cmpl-Aa-0",
        "cmpl-r1-0", "chatcmpl-r2-3", "r3", "cmpl-1234-5678-0", "plain", "cmpl-p+q-0",
        "cmpl-Ab-0", "cmpl-gone-0")).addAllWaitingRequests(List.of("cmpl-Aa-0", "r3"))
        .build());
    assertThat(a.inflightRequests()).isEqualTo(3); // "BB", "p+q" and "late"
    // The found ones no longer waiting go; "late" is found now.
    view.acceptStatus(status("a", 3, 3, 3).addAllWaitingRequests(List.of("cmpl-Aa-0"))
        .addRecentWaitingRequests("cmpl-late-0").build());
    assertThat(a.inflightRequests()).isEqualTo(2);
    assertThat(view.account().size()).isEqualTo(4); // "Aa" waiting, "late" found, two unseen
  }

  @Test
  void requestIdsAreTrimmedAsTheReferenceTrimsThem() {
    assertThat(LocalAccount.trimRequestId("cmpl-abc-0")).isEqualTo("abc");
    assertThat(LocalAccount.trimRequestId("chatcmpl-1234-5678-0")).isEqualTo("1234-5678");
    assertThat(LocalAccount.trimRequestId("cmpl-abc+x-y")).isEqualTo("abc");
    assertThat(LocalAccount.trimRequestId("plain")).isEqualTo("plain");
  }

  @Test
  void schedulingMetricFormulas() {
    view.acceptStatus(status("a", 5, 5, 5)
        .setNumUsedGpuTokens(1000)
        .setNumUncomputedTokensAllWaitingPrefills(300)
        .setNumUnallocatedTokensSchedulerRunningPrefills(200)
        .setNumUnallocatedTokensHybridSchedulerWaitingDecodes(100)
        .setHybridSchedulerWaitingToDecodeRequestsNum(1)
        .setNumLoadingRequests(2)
        .setSchedulerWaitingToDecodeRequestsNum(3)
        .setSchedulerRunningToDecodeRequestsNum(4)
        .setNumWaitingRequests(5)
        .setNumRunningRequests(6)
        .setNumUncomputedTokensSchedulerRunningPrefills(50)
        .setHybridSchedulerWaitingToDecodeTokensNum(7)
        .setSchedulerWaitingToDecodeTokensNum(8)
        .setSchedulerRunningToDecodeTokensNum(9)
        .setNumTokensLoadingRequests(10).build());
    view.account().add(a, "p", InferType.PREFILL, 400, 250);
    view.account().add(a, "d", InferType.DECODE, 120, 120);
    // (used + all waiting prefills + unallocated running prefills + unallocated hybrid decodes
    //  + A.dTok) / total
    assertThat(a.kvCacheUsageRatioProjected())
        .isEqualTo((float) (1000 + 300 + 200 + 100 + 120) / 10_000);
    // hybrid waiting-to-decode + loading + waiting-to-decode + running-to-decode + A.dReq
    assertThat(a.decodeBatchSize()).isEqualTo(1 + 2 + 3 + 4 + 1);
    // S.waiting + A.req
    assertThat(a.numWaitingRequests()).isEqualTo(5 + 2);
    // all waiting prefills + running prefills' uncomputed + A.pTok
    assertThat(a.allPrefillsTokensNum()).isEqualTo(300 + 50 + 250);
    // waiting + loading + running + A.pReq + A.dReq
    assertThat(a.numRequests()).isEqualTo(5 + 2 + 6 + 1 + 1);
    // hybrid waiting-to-decode tokens + waiting-to-decode + running-to-decode + loading + A.dTok
    assertThat(a.allDecodesTokensNum()).isEqualTo(7 + 8 + 9 + 10 + 120);
    // No capacity reported: the instance looks full.
    view.acceptStatus(status("a", 6, 6, 6).setNumTotalGpuTokens(0).build());
    assertThat(a.kvCacheUsageRatioProjected()).isEqualTo(Float.MAX_VALUE);
  }
}
