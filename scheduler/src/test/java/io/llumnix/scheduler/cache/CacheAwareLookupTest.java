package io.llumnix.scheduler.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which requests are looked up, and the retry / down-window logic around a failing index. */
class CacheAwareLookupTest {

  static final int RETRIES = 3;
  static final long INTERVAL_MS = 100;
  static final long DOWN_S = 30;

  /** Answers each lookup with the next queued outcome, else with the default; counts calls. */
  static final class FakeIndex implements PrefixIndex {
    final Deque<Supplier<Future<PrefixHits>>> outcomes = new ArrayDeque<>();
    Supplier<Future<PrefixHits>> otherwise =
        () -> Future.succeededFuture(PrefixHits.none(0));
    int calls;
    int lastLength = -1;
    boolean closed;

    @Override
    public Future<PrefixHits> lookup(int[] tokens, int length, Timings timings) {
      calls++;
      lastLength = length;
      timings.calculated(0.5);
      return (outcomes.isEmpty() ? otherwise : outcomes.poll()).get();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  final ManualClock clock = ManualClock.at(1_000_000);
  final ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(1000);
  final FakeIndex index = new FakeIndex();
  CacheAwareLookup lookup;

  @BeforeEach
  void setUp() {
    metrics.registerAll(LlumnixMetrics.scheduler());
    CacheAwareConfig config = CacheAwareConfig.builder().enabled(true).minTokens(8)
        .retry(RETRIES, INTERVAL_MS).downSeconds(DOWN_S).build();
    lookup = new CacheAwareLookup(config, index, clock, metrics);
  }

  static SchedulingRequest request(int numTokens, int[] tokens) {
    return SchedulingRequest.of("r", "m", "g", SchedulingMode.NEUTRAL, SchedulingStage.PREFILL,
        numTokens, tokens);
  }

  static int[] tokens(int n) {
    return IntStream.range(0, n).toArray();
  }

  /** The value of an unlabelled series in the Prometheus text. */
  double value(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)$")
        .matcher(metrics.scrape(null));
    assertThat(m.find()).as("series %s", name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  static Supplier<Future<PrefixHits>> failing() {
    return () -> Future.failedFuture(new RuntimeException("metadata service unreachable"));
  }

  // Prompts under min tokens, and prompts without token ids, never reach the index.
  @Test
  void shortPromptsAndPromptsWithoutTokenIdsAreNotLookedUp() {
    Future<PrefixHits> shortOne = lookup.lookup(request(7, tokens(7)));
    Future<PrefixHits> noIds = lookup.lookup(request(4096, null));
    assertThat(shortOne.succeeded()).isTrue();
    assertThat(shortOne.result()).isNull();
    assertThat(noIds.succeeded()).isTrue();
    assertThat(noIds.result()).isNull();
    assertThat(index.calls).isZero();
    // Exactly min tokens is looked up, over no more tokens than the ids sent.
    lookup.lookup(request(8, tokens(8)));
    lookup.lookup(request(20, tokens(12)));
    assertThat(index.calls).isEqualTo(2);
    assertThat(index.lastLength).isEqualTo(12);
  }

  // A successful lookup hands the index's hits through unchanged, gauge up.
  @Test
  void successPassesTheHitsThrough() {
    PrefixHits hits = new PrefixHits(16, Map.of("10.0.0.1:28000", 16), true);
    index.outcomes.add(() -> Future.succeededFuture(hits));
    Future<PrefixHits> result = lookup.lookup(request(16, tokens(16)));
    assertThat(result.succeeded()).isTrue();
    assertThat(result.result()).isSameAs(hits);
    assertThat(index.calls).isEqualTo(1);
    assertThat(value("scheduler_kvs_metadata_service_up")).isEqualTo(1);
    assertThat(value("scheduler_kvs_lookup_failed_total")).isZero();
    lookup.close();
    assertThat(index.closed).isTrue();
  }

  // A failure followed by a success within the attempts: retried after the interval, hits.
  @Test
  void aFailedAttemptIsRetriedAfterTheInterval() {
    PrefixHits hits = new PrefixHits(16, Map.of("i1", 8), false);
    index.outcomes.add(failing());
    index.outcomes.add(() -> Future.succeededFuture(hits));
    Future<PrefixHits> result = lookup.lookup(request(16, tokens(16)));
    assertThat(result.isComplete()).isFalse();
    clock.advanceMillis(INTERVAL_MS - 1);
    assertThat(index.calls).as("not before the interval").isEqualTo(1);
    clock.advanceMillis(1);
    assertThat(index.calls).isEqualTo(2);
    assertThat(result.result()).isSameAs(hits);
    assertThat(value("scheduler_kvs_lookup_failed_total")).isEqualTo(1);
    assertThat(value("scheduler_kvs_metadata_service_up")).isEqualTo(1);
  }

  // Every attempt failing: exactly retryTimes attempts, a null result, gauge 0, counter counts
  // each failed attempt; no further timers.
  @Test
  void allAttemptsFailingMarksTheIndexDown() {
    index.otherwise = failing();
    Future<PrefixHits> result = lookup.lookup(request(16, tokens(16)));
    clock.advanceMillis(10 * INTERVAL_MS);
    assertThat(index.calls).isEqualTo(RETRIES);
    assertThat(result.succeeded()).as("never a failed future").isTrue();
    assertThat(result.result()).isNull();
    assertThat(value("scheduler_kvs_metadata_service_up")).isZero();
    assertThat(value("scheduler_kvs_lookup_failed_total")).isEqualTo(RETRIES);
    assertThat(clock.pendingTimers()).isZero();
  }

  // An index that throws instead of failing its future counts as a failed attempt.
  @Test
  void anIndexThatThrowsIsAFailedAttempt() {
    index.otherwise = () -> {
      throw new IllegalStateException("boom");
    };
    Future<PrefixHits> result = lookup.lookup(request(16, tokens(16)));
    clock.advanceMillis(10 * INTERVAL_MS);
    assertThat(index.calls).isEqualTo(RETRIES);
    assertThat(result.succeeded()).isTrue();
    assertThat(result.result()).isNull();
    assertThat(value("scheduler_kvs_metadata_service_up")).isZero();
  }

  // While down, lookups answer null without touching the index; once the window has passed
  // one attempt is made, and its success brings the gauge back to 1.
  @Test
  void theDownWindowSkipsLookupsThenTheyResume() {
    index.otherwise = failing();
    lookup.lookup(request(16, tokens(16)));
    clock.advanceMillis((RETRIES - 1) * INTERVAL_MS); // the last attempt fails now
    assertThat(index.calls).isEqualTo(RETRIES);

    clock.advanceMillis(DOWN_S * 1000 - 1);
    Future<PrefixHits> during = lookup.lookup(request(16, tokens(16)));
    assertThat(during.succeeded()).isTrue();
    assertThat(during.result()).isNull();
    assertThat(index.calls).as("no attempt inside the window").isEqualTo(RETRIES);
    assertThat(value("scheduler_kvs_metadata_service_up")).isZero();

    clock.advanceMillis(1);
    PrefixHits hits = new PrefixHits(16, Map.of("i1", 16), false);
    index.otherwise = () -> Future.succeededFuture(hits);
    Future<PrefixHits> after = lookup.lookup(request(16, tokens(16)));
    assertThat(index.calls).isEqualTo(RETRIES + 1);
    assertThat(after.result()).isSameAs(hits);
    assertThat(value("scheduler_kvs_metadata_service_up")).isEqualTo(1);
    assertThat(value("scheduler_kvs_lookup_failed_total")).isEqualTo(RETRIES);
  }

  // Failing again after the window: a full round of retries, then down again.
  @Test
  void failingAgainAfterTheWindowTakesAnotherFullRound() {
    index.otherwise = failing();
    lookup.lookup(request(16, tokens(16)));
    clock.advanceMillis(RETRIES * INTERVAL_MS + DOWN_S * 1000);
    Future<PrefixHits> again = lookup.lookup(request(16, tokens(16)));
    clock.advanceMillis(10 * INTERVAL_MS);
    assertThat(index.calls).isEqualTo(2 * RETRIES);
    assertThat(again.result()).isNull();
    assertThat(value("scheduler_kvs_metadata_service_up")).isZero();
    assertThat(value("scheduler_kvs_lookup_failed_total")).isEqualTo(2 * RETRIES);
  }

  // A lookup still retrying when another marks the index down makes no further attempt: it
  // ends with null at its next retry, its remaining attempts unused.
  @Test
  void aConcurrentLookupStopsRetryingOnceTheIndexIsDown() {
    index.otherwise = failing();
    Future<PrefixHits> first = lookup.lookup(request(16, tokens(16))); // t = 0, 100, 200
    clock.advanceMillis(150);
    Future<PrefixHits> second = lookup.lookup(request(16, tokens(16))); // t = 150, 250
    clock.advanceMillis(50);
    assertThat(first.isComplete()).isTrue();
    assertThat(second.isComplete()).isFalse();
    clock.advanceMillis(50);
    assertThat(second.succeeded()).isTrue();
    assertThat(second.result()).isNull();
    assertThat(index.calls).isEqualTo(RETRIES + 1);
    assertThat(clock.pendingTimers()).isZero();
  }

  // A store that never answers costs a request at most the budget, and counts as down at once.
  @Test
  void aLookupThatOutlastsTheBudgetGoesOnWithoutHitsAndMarksTheIndexDown() {
    index.otherwise = () -> Promise.<PrefixHits>promise().future(); // never completes
    Future<PrefixHits> slow = lookup.lookup(request(16, tokens(16)));
    clock.advanceMillis(CacheAwareLookup.BUDGET_MILLIS - 1);
    assertThat(slow.isComplete()).isFalse();
    clock.advanceMillis(1);
    assertThat(slow.succeeded()).isTrue();
    assertThat(slow.result()).isNull();
    assertThat(index.calls).isEqualTo(1);
    assertThat(lookup.lookup(request(16, tokens(16))).result()).isNull(); // skipped: down
    assertThat(index.calls).isEqualTo(1);
  }
}
