package io.llumnix.scheduler.cms;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.cache.PrefixHits;
import io.llumnix.scheduler.dispatch.Dispatcher;
import io.llumnix.scheduler.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Full mode with cache-aware scheduling: prefix hits resolved to instances, the locality metric
 * ranked first for prefill and neutral picks, and the account's uncomputed tokens.
 */
class CacheAwareDispatchTest {

  static final int PROMPT = 1000;

  final ManualClock clock = ManualClock.at(1_000_000);
  final ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(10_000);
  CmsView view;
  Dispatcher<CmsInstance> dispatcher;
  int requests;

  static InstanceMetadata metadata(String id, String type, String ipKvs, int kvtPort) {
    return InstanceMetadata.newBuilder().setInstanceId(id).setInstanceType(type).setIp(ipKvs)
        .setIpKvs(ipKvs).setKvtPort(kvtPort).setApiServerPort(8000).setNodeId(id).setUnitId(id)
        .setDataParallelSize(1).setUtcCreate(1.0).build();
  }

  /**
   * A view of {@code instances} (each a metadata record) with cache-aware accounting, and a
   * dispatcher ranking prefill/neutral picks by cache_aware_all_prefills_tokens_num first.
   */
  void cluster(InstanceMetadata... instances) {
    metrics.registerAll(LlumnixMetrics.scheduler());
    view = new CmsView(metrics, true, 10, true, clock);
    view.alive(true);
    view.applyMetadata(List.of(instances));
    for (InstanceMetadata m : instances) {
      status(m.getInstanceId(), 0, 0);
    }
    PolicyConfig config = PolicyConfig.builder()
        .cacheLocalityMetric("cache_aware_all_prefills_tokens_num").build();
    dispatcher = new Dispatcher<>(FullModePolicies.loadBalance(config, clock), view, metrics,
        clock);
  }

  /** a (10.0.0.1:28000), b (10.0.0.2:28000) and c (10.0.0.2:28001, b's host): neutral. */
  void threeNeutral() {
    cluster(metadata("a", "neutral", "10.0.0.1", 28000),
        metadata("b", "neutral", "10.0.0.2", 28000),
        metadata("c", "neutral", "10.0.0.2", 28001));
  }

  /** A newer status of {@code id}: its waiting prefill tokens and used GPU tokens. */
  InstanceStatus.Builder statusOf(String id, int waitingPrefillTokens, int usedGpuTokens) {
    CmsInstance instance = view.instance(id);
    int update = Math.max(1, instance.status().getUpdateId() + 1);
    return InstanceStatus.newBuilder().setInstanceId(id).setSchedulable(true)
        .setTimestampMs(clock.epochMillis() + update).setUpdateId(update).setStepId(update)
        .setNumTotalGpuTokens(100_000).setNumUsedGpuTokens(usedGpuTokens)
        .setNumUncomputedTokensAllWaitingPrefills(waitingPrefillTokens);
  }

  void status(String id, int waitingPrefillTokens, int usedGpuTokens) {
    view.acceptStatus(statusOf(id, waitingPrefillTokens, usedGpuTokens).build());
  }

  List<String> schedule(SchedulingMode mode, PrefixHits hits) {
    SchedulingRequest request = SchedulingRequest.of("r" + requests++, "m", "gw", mode,
        SchedulingStage.PREFILL, PROMPT, null);
    Outcome outcome = dispatcher.schedule(request, hits);
    assertThat(outcome).isInstanceOf(Outcome.Scheduled.class);
    List<String> ids = new ArrayList<>();
    for (LlmInstance instance : ((Outcome.Scheduled) outcome).answer().schedulingResult()) {
      ids.add(instance.id());
    }
    return ids;
  }

  String neutral(PrefixHits hits) {
    return schedule(SchedulingMode.NEUTRAL, hits).getFirst();
  }

  static PrefixHits endpoints(Map<String, Integer> hits) {
    return new PrefixHits(PROMPT, hits, true);
  }

  /** A series of the Prometheus text whose labels contain {@code labels}. */
  double value(String series, String labels) {
    Matcher m = Pattern.compile("(?m)^" + series + "(?:\\{[^}]*" + Pattern.quote(labels)
        + "[^}]*})? (\\S+)$").matcher(metrics.scrape(null));
    assertThat(m.find()).as("series %s %s", series, labels).isTrue();
    return Double.parseDouble(m.group(1));
  }

  // The holder wins over idle instances without the prefix: they would compute the whole prompt.
  @Test
  void theHolderWins() {
    threeNeutral();
    status("a", 500, 0); // a: miss 200 + queue 500 = 700; b, c: miss 1000 + queue 0
    assertThat(neutral(endpoints(Map.of("10.0.0.1:28000", 800)))).isEqualTo("a");
    assertThat(view.instance("a").kvCacheHitLen()).isEqualTo(800);
    assertThat(view.instance("b").prefixMissTokens()).isEqualTo(PROMPT);
    // Read after the dispatch: the request's own 200 uncomputed tokens are now inflight on a.
    assertThat(view.instance("a").cacheAwareAllPrefillsTokensNum()).isEqualTo(200 + 500 + 200);
  }

  // No hit means miss = the whole prompt: a lightly loaded instance without the prefix loses
  // while holder's queue < prompt - hit, and wins once the holder's queue is bigger.
  @Test
  void aLightInstanceWithoutThePrefixWinsOnlyWhenTheHolderIsBusyEnough() {
    threeNeutral();
    status("b", 100, 0);
    status("c", 300, 0);
    status("a", 799, 0); // 200 + 799 < 1000 + 100
    assertThat(neutral(endpoints(Map.of("10.0.0.1:28000", 800)))).isEqualTo("a");
    view.account().release("r0");
    status("a", 901, 0); // 200 + 901 > 1000 + 100
    assertThat(neutral(endpoints(Map.of("10.0.0.1:28000", 800)))).isEqualTo("b");
  }

  // Holders are named "ip:kvt_port" (exact endpoint), else by an IP only one instance has; an
  // IP two instances share names neither; without endpoints, holders are instance ids.
  @Test
  void endpointResolution() {
    threeNeutral();
    schedule(SchedulingMode.NEUTRAL, endpoints(Map.of("10.0.0.2:28001", 300,
        "10.0.0.1:5555", 400, "10.0.0.2:5555", 900, "10.9.9.9:28000", 999)));
    assertThat(view.instance("c").kvCacheHitLen()).as("exact endpoint").isEqualTo(300);
    assertThat(view.instance("a").kvCacheHitLen()).as("unique IP").isEqualTo(400);
    assertThat(view.instance("b").kvCacheHitLen()).as("shared IP: ignored").isZero();

    schedule(SchedulingMode.NEUTRAL, new PrefixHits(PROMPT, Map.of("b", 600), false));
    assertThat(view.instance("b").kvCacheHitLen()).as("by instance id").isEqualTo(600);
    assertThat(view.instance("c").kvCacheHitLen()).as("the last request's hits are gone")
        .isZero();
    // A hit longer than the prompt counts as the prompt.
    schedule(SchedulingMode.NEUTRAL, new PrefixHits(PROMPT, Map.of("b", 5000), false));
    assertThat(view.instance("b").kvCacheHitLen()).isEqualTo(PROMPT);
  }

  // The local account counts the chosen instance's uncomputed tokens: prompt - hit.
  @Test
  void theAccountCountsPromptMinusHit() {
    threeNeutral();
    assertThat(neutral(endpoints(Map.of("10.0.0.1:28000", 800)))).isEqualTo("a");
    CmsInstance a = view.instance("a");
    assertThat(a.inflightPrefillTokens()).isEqualTo(200);
    assertThat(a.inflightDecodeTokens()).as("decode tokens stay whole").isEqualTo(PROMPT);
    assertThat(value("instance_cms_uncomputed_tokens_inflight_dispatch_prefill_requests",
        "instance_id=\"a\"")).isEqualTo(200);
    // Not looked up: the whole prompt is uncomputed.
    String other = neutral(null);
    assertThat(other).isNotEqualTo("a"); // a carries 200 tokens now
    assertThat(view.instance(other).inflightPrefillTokens()).isEqualTo(PROMPT);
  }

  // pd_batch: the prefill pick follows the hit; the decode pick ignores it and balances load.
  @Test
  void decodeChoiceIgnoresLocality() {
    cluster(metadata("p1", "prefill", "10.0.1.1", 28000),
        metadata("p2", "prefill", "10.0.1.2", 28000),
        metadata("d1", "decode", "10.0.2.1", 28000),
        metadata("d2", "decode", "10.0.2.2", 28000));
    status("p1", 300, 0);
    status("d1", 0, 20_000); // d1 holds the prompt but is the fuller decode instance
    status("d2", 0, 1_000);
    PrefixHits hits = endpoints(Map.of("10.0.1.1:28000", PROMPT, "10.0.2.1:28000", PROMPT));
    assertThat(schedule(SchedulingMode.PD_BATCH, hits)).containsExactly("p1", "d2");
    assertThat(view.instance("p1").inflightPrefillTokens()).isZero();
  }

  // Looked-up requests observe the max hit percent and the chosen instance's hit percent;
  // requests not looked up observe neither; decode picks never observe the pick's percent.
  @Test
  void hitPercentHistograms() {
    threeNeutral();
    neutral(endpoints(Map.of("10.0.0.1:28000", 800, "10.0.0.2:28000", 100)));
    assertThat(value("request_max_prefix_cache_hit_percent_count", "")).isEqualTo(1);
    assertThat(value("request_max_prefix_cache_hit_percent_sum", "")).isEqualTo(80);
    assertThat(value("request_prefix_cache_hit_percent_count", "")).isEqualTo(1);
    assertThat(value("request_prefix_cache_hit_percent_sum", "")).isEqualTo(80);

    neutral(null);
    assertThat(value("request_max_prefix_cache_hit_percent_count", "")).isEqualTo(1);
    assertThat(value("request_prefix_cache_hit_percent_count", "")).isEqualTo(1);

    // Looked up, nobody holds it: 0 % observed in both.
    neutral(endpoints(Map.of()));
    assertThat(value("request_max_prefix_cache_hit_percent_count", "")).isEqualTo(2);
    assertThat(value("request_prefix_cache_hit_percent_count", "")).isEqualTo(2);
    assertThat(value("request_prefix_cache_hit_percent_sum", "")).isEqualTo(80);
  }

  // Once a status lists the dispatched request as waiting, the instance's waiting prefill
  // tokens are the account's uncomputed tokens (prompt - hit), not the status's whole prompt;
  // a status with no waiting request goes back to the status's own figure.
  @Test
  void aStatusListingTheRequestAsWaitingIsOverwrittenWithItsUncomputedTokens() {
    threeNeutral();
    assertThat(neutral(endpoints(Map.of("10.0.0.1:28000", 800)))).isEqualTo("a");
    CmsInstance a = view.instance("a");
    view.acceptStatus(statusOf("a", PROMPT, 0).addRecentWaitingRequests("cmpl-r0-0")
        .addWaitingRequests("cmpl-r0-0").build());
    assertThat(a.inflightPrefillTokens()).as("found: no longer counted inflight").isZero();
    assertThat(a.allPrefillsTokensNum()).isEqualTo(200);
    assertThat(value("instance_cms_all_prefills_tokens_num", "instance_id=\"a\""))
        .isEqualTo(200);

    view.acceptStatus(statusOf("a", 700, 0).build());
    assertThat(a.allPrefillsTokensNum()).isEqualTo(700);
  }

  // A waiting request the account has no entry for (dispatched before a scheduler restart, by
  // another scheduler, or preempted back into the queue after its entry was dropped) still
  // needs its prefill; the status's figure for it should not vanish because the account holds
  // an unrelated entry.
  @Test
  void waitingRequestsUnknownToTheAccountStillCount() {
    threeNeutral();
    CmsInstance a = view.instance("a");
    view.acceptStatus(statusOf("a", PROMPT, 0).addWaitingRequests("cmpl-other-0").build());
    assertThat(a.allPrefillsTokensNum()).isEqualTo(PROMPT); // no entries: the status's figure
    view.account().add(a, "r0", InferType.NEUTRAL, PROMPT, 200); // not in a status yet
    view.acceptStatus(statusOf("a", PROMPT, 0).addWaitingRequests("cmpl-other-0").build());
    assertThat(a.allPrefillsTokensNum()).isGreaterThanOrEqualTo(PROMPT + 200);
  }

  // Without cache awareness the status's figure stands.
  @Test
  void withoutCacheAwarenessTheStatusFigureStands() {
    metrics.registerAll(LlumnixMetrics.scheduler());
    CmsView plain = new CmsView(metrics, true, 10, false, clock);
    plain.applyMetadata(List.of(metadata("a", "neutral", "10.0.0.1", 28000)));
    CmsInstance a = plain.instance("a");
    plain.account().add(a, "r0", InferType.NEUTRAL, PROMPT, 200);
    plain.acceptStatus(InstanceStatus.newBuilder().setInstanceId("a").setSchedulable(true)
        .setTimestampMs(5).setUpdateId(1).setNumUncomputedTokensAllWaitingPrefills(PROMPT)
        .addRecentWaitingRequests("cmpl-r0-0").addWaitingRequests("cmpl-r0-0").build());
    assertThat(a.allPrefillsTokensNum()).isEqualTo(PROMPT);
  }
}
