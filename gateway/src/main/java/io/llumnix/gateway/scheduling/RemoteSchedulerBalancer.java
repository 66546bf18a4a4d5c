package io.llumnix.gateway.scheduling;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.llumnix.openai.OpenAiError;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks a scheduler service for each request's instance, keeps its lite-mode view current
 * ({@code /report}, {@code /release}) and stays registered over the {@code /keepalive}.
 *
 * <p>Design notes. The gateway never waits for a scheduler: while no keepalive is up, or when a
 * scheduler call fails, the request goes round-robin, so the gateway serves with the scheduler
 * down. A scheduler that answers 429 (nothing available) is asked again every retry interval
 * until the wait timeout, then the request fails with 503. An answer naming an endpoint the
 * request must avoid (it just failed the request; a dead instance looks idle until discovery
 * drops it) is released and asked again, three times, then round-robin picks one that has not
 * failed. A release goes only to the scheduler that allocated the request (the one the
 * keepalive was connected to then): a scheduler that lost the keepalive released the gateway's
 * requests already.
 */
public final class RemoteSchedulerBalancer implements Balancer {

  private static final System.Logger logger =
      System.getLogger(RemoteSchedulerBalancer.class.getName());
  private static final int REASKS = 3;

  private final Clock clock;
  private final SchedulerSettings settings;
  private final RoundRobinBalancer fallback;
  private final SchedulerClient client;
  private final SchedulerConnection connection;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final long reportTimer;

  /** What the scheduler is told about one request in flight. */
  private final class Tracked implements Lease.Holder {
    final String gatewayId;
    volatile long tokens;
    volatile boolean prefillDone;
    volatile boolean prefillReported;
    volatile Lease lease;

    Tracked(String gatewayId) {
      this.gatewayId = gatewayId;
    }

    @Override
    public void prefillDone(Lease lease) {
      prefillDone = true;
    }

    @Override
    public void tokens(Lease lease, long total) {
      if (total > tokens) {
        tokens = total;
      }
    }

    @Override
    public void ended(Lease lease, boolean finished) {
      tracked.remove(lease.request().id(), this);
      // Full mode releases only what failed: the engine's status shows a finished request gone.
      if (!(finished && settings.fullMode()) && gatewayId.equals(connection.gatewayId())) {
        release(lease, gatewayId, 3);
      }
    }
  }

  public RemoteSchedulerBalancer(Vertx vertx, Clock clock, SchedulerSettings settings,
      RoundRobinBalancer fallback) {
    this.clock = clock;
    this.settings = settings;
    this.fallback = fallback;
    this.client = SchedulerClient.create(vertx, settings.client());
    this.connection = new SchedulerConnection(vertx, clock, settings.endpoints(),
        settings.reconnectMillis(), settings.pingCheckMillis(), tracked::clear);
    this.reportTimer = !settings.fullMode() && settings.reportIntervalMillis() > 0
        ? clock.setPeriodic(settings.reportIntervalMillis(), this::sendReports) : -1;
    connection.connect();
  }

  /** Whether a scheduler holds our keepalive, so scheduling goes through it. */
  public boolean ready() {
    return connection.gatewayId() != null;
  }

  @Override
  public Future<Lease> lease(LeaseRequest request) {
    String gateway = connection.gatewayId();
    if (gateway == null) {
      return fallback.lease(request); // no scheduler: serve anyway
    }
    Promise<Lease> result = Promise.promise();
    SchedulingRequest body = SchedulingRequest.of(request.id(), request.model(), gateway,
        SchedulingMode.NEUTRAL, SchedulingStage.PREFILL, request.promptTokens(),
        settings.forwardTokens() ? request.promptTokenIds() : null);
    long deadline = clock.nanoTime() + settings.waitSchedulingTimeoutMillis() * 1_000_000;
    attempt(request, body, gateway, deadline, 0, result);
    return result.future();
  }

  private void attempt(LeaseRequest request, SchedulingRequest body, String gateway,
      long deadline, int reasks, Promise<Lease> result) {
    SchedulerEndpoint endpoint = connection.current();
    client.schedule(endpoint, body).onComplete(ar -> {
      if (ar.failed()) {
        logger.log(System.Logger.Level.WARNING, "scheduler " + endpoint + " failed ("
            + ar.cause().getMessage() + "); round-robin for " + request.id());
        if (failures.incrementAndGet() >= 3) {
          failures.set(0);
          connection.failOver();
        }
        fallback.lease(request).onComplete(result);
        return;
      }
      failures.set(0);
      switch (ar.result()) {
        case Outcome.Scheduled scheduled when !scheduled.answer().schedulingResult().isEmpty() -> {
          LlmInstance instance = scheduled.answer().schedulingResult().get(0);
          Tracked holder = new Tracked(gateway);
          Lease lease = new Lease(request, List.of(instance), holder);
          holder.lease = lease;
          tracked.put(request.id(), holder); // even without reports: the release goes here
          if (!request.avoid().contains(instance.endpoint())) {
            result.complete(lease);
          } else {
            lease.release();
            if (reasks < REASKS) {
              attempt(request, body, gateway, deadline, reasks + 1, result);
            } else {
              fallback.lease(request).onComplete(result);
            }
          }
        }
        case Outcome.Failed failed when failed.status() == 429
            && clock.nanoTime() < deadline -> clock.setTimer(
                settings.waitSchedulingRetryMillis(),
                () -> attempt(request, body, gateway, deadline, reasks, result));
        case Outcome.Failed failed when failed.status() == 429 ->
            result.fail(OpenAiError.of(503, "no available inference worker"));
        default -> fallback.lease(request).onComplete(result);
      }
    });
  }

  /** {@code /release}, tried up to {@code triesLeft} times 500 ms apart, as the reference. */
  private void release(Lease lease, String gatewayId, int triesLeft) {
    SchedulingRequest body = SchedulingRequest.of(lease.request().id(), lease.request().model(),
        gatewayId, SchedulingMode.NEUTRAL, SchedulingStage.PREFILL, 0, null)
        .withResult(List.of(lease.instance()));
    client.release(connection.current(), body).onComplete(ar -> {
      if ((ar.failed() || ar.result() instanceof Outcome.Failed f && f.status() >= 500)
          && triesLeft > 1) {
        clock.setTimer(500, () -> release(lease, gatewayId, triesLeft - 1));
      }
    });
  }

  @Override
  public void close() {
    clock.cancelTimer(reportTimer);
    connection.close();
    client.close();
  }

  private void sendReports() {
    String gateway = connection.gatewayId();
    if (gateway == null || tracked.isEmpty()) {
      return;
    }
    List<ReportItem> items = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      if (!t.gatewayId.equals(gateway) || t.lease == null) {
        continue;
      }
      LeaseRequest request = t.lease.request();
      LlmInstance instance = t.lease.instance();
      if (t.tokens > 0) {
        items.add(new ReportItem(ReportItem.Kind.STATE_UPDATE, request.id(), request.model(),
            instance.inferType(), instance.canonicalId(), t.gatewayId, t.tokens));
      }
      if (t.prefillDone && !t.prefillReported) {
        t.prefillReported = true;
        items.add(new ReportItem(ReportItem.Kind.PREFILL_DONE, request.id(), request.model(),
            instance.inferType(), instance.canonicalId(), t.gatewayId, 0));
      }
    }
    if (!items.isEmpty()) {
      client.report(connection.current(), items);
    }
  }
}
