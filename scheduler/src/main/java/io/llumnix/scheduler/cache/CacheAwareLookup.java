package io.llumnix.scheduler.cache;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.jspecify.annotations.Nullable;

/**
 * The cache-aware step before a dispatch: which instances hold how much of the request's
 * prompt. Only prompts of at least {@code --cache-aware-scheduling-min-tokens} with their token
 * ids are looked up. A lookup that fails is retried {@code --kvs-retry-times} times in all,
 * {@code --kvs-retry-interval-ms} apart; when every attempt fails, or the lookup outlasts
 * {@link #BUDGET_MILLIS}, the index counts as down for
 * {@code --kvs-metadata-service-down-duration-s}, lookups are skipped, and requests are
 * balanced on load alone (a log line and {@code scheduler_kvs_metadata_service_up} say so).
 * Runs on the scheduler's event loop.
 */
public final class CacheAwareLookup implements AutoCloseable {

  private static final System.Logger logger =
      System.getLogger(CacheAwareLookup.class.getName());

  /**
   * {@value} ms: the longest a request waits for its lookup, half of what a gateway waits for
   * the scheduler's answer (the reference's attempts of up to 3 s each, retried, could make a
   * slow store cost the scheduling itself).
   */
  public static final long BUDGET_MILLIS = 1000;

  private final CacheAwareConfig config;
  private final PrefixIndex index;
  private final Clock clock;
  private final PrefixIndex.Timings timings;
  private final GaugeDataPoint up;
  private final CounterDataPoint failed;
  /** While lookups are skipped; {@link Long#MIN_VALUE} when the index is up. */
  private long downUntilNanos = Long.MIN_VALUE;

  public CacheAwareLookup(CacheAwareConfig config, PrefixIndex index, Clock clock,
      ComponentMetrics metrics) {
    this.config = config;
    this.index = index;
    this.clock = clock;
    DistributionDataPoint calc = metrics.histogram(
        LlumnixMetrics.REQUEST_CALC_PREFIX_CACHE_HIT_DURATION_MILLISECONDS).labels();
    DistributionDataPoint query = metrics.histogram(
        LlumnixMetrics.REQUEST_QUERY_PREFIX_CACHE_HIT_DURATION_MILLISECONDS).labels();
    this.timings = new PrefixIndex.Timings() {
      @Override
      public void calculated(double millis) {
        calc.observe(millis);
      }

      @Override
      public void queried(double millis) {
        query.observe(millis);
      }
    };
    this.up = metrics.gauge(LlumnixMetrics.SCHEDULER_KVS_METADATA_SERVICE_UP).labels();
    this.failed = metrics.counter(LlumnixMetrics.SCHEDULER_KVS_LOOKUP_FAILED_TOTAL).labels();
    up.set(1);
  }

  /** The index this looks up in. */
  public PrefixIndex index() {
    return index;
  }

  /**
   * The prompt's hits, or null when the request is not looked up (too short, no token ids) or
   * the index is down; never a failed future.
   */
  public Future<@Nullable PrefixHits> lookup(SchedulingRequest request) {
    int[] tokens = request.promptTokenIds();
    if (tokens == null || request.promptNumTokens() < config.minTokens()
        || (request.mode() == SchedulingMode.PD_STAGED
            && request.stage() == SchedulingStage.DECODE)) {
      return Future.succeededFuture(); // (a staged decode choice reads no cache locality)
    }
    if (downUntilNanos != Long.MIN_VALUE) {
      if (clock.nanoTime() - downUntilNanos < 0) {
        return Future.succeededFuture();
      }
      downUntilNanos = Long.MIN_VALUE; // the window passed: try the index again
    }
    int length = Math.min(tokens.length, request.promptNumTokens());
    Promise<@Nullable PrefixHits> result = Promise.promise();
    long budget = clock.setTimer(BUDGET_MILLIS, () -> {
      if (result.tryComplete() && downUntilNanos == Long.MIN_VALUE) {
        failed.inc();
        markDown("no answer within " + BUDGET_MILLIS + " ms");
      }
    });
    result.future().onComplete(done -> clock.cancelTimer(budget));
    attempt(tokens, length, 1, result);
    return result.future();
  }

  private void attempt(int[] tokens, int length, int attempt,
      Promise<@Nullable PrefixHits> result) {
    if (result.future().isComplete()) {
      return; // the budget ran out meanwhile
    }
    if (attempt > 1 && downUntilNanos != Long.MIN_VALUE) {
      result.tryComplete(); // another request found it down meanwhile
      return;
    }
    Future<PrefixHits> lookup;
    try {
      lookup = index.lookup(tokens, length, timings);
    } catch (RuntimeException e) {
      lookup = Future.failedFuture(e);
    }
    lookup.onComplete(done -> {
      if (result.future().isComplete()) {
        return; // too late: the request went on without it
      }
      if (done.succeeded()) {
        if (downUntilNanos == Long.MIN_VALUE) {
          up.set(1);
        }
        result.complete(done.result());
        return;
      }
      failed.inc();
      if (downUntilNanos != Long.MIN_VALUE) {
        result.complete(); // another request already found it down
      } else if (attempt < config.retryTimes()) {
        clock.setTimer(config.retryIntervalMillis(),
            () -> attempt(tokens, length, attempt + 1, result));
      } else {
        markDown(config.retryTimes() + " lookups in a row failed: " + done.cause());
        result.complete();
      }
    });
  }

  private void markDown(String why) {
    downUntilNanos = clock.nanoTime() + config.downSeconds() * 1_000_000_000L;
    up.set(0);
    logger.log(System.Logger.Level.WARNING, "KV-store metadata service ("
        + config.backend().flagValue() + "): " + why + "; scheduling without cache awareness"
        + " for " + config.downSeconds() + " s");
  }

  @Override
  public void close() {
    index.close();
  }
}
