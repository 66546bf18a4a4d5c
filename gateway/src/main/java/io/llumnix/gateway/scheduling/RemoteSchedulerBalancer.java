package io.llumnix.gateway.scheduling;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.llumnix.openai.OpenAiError;
import io.llumnix.scheduler.api.InProcessScheduler;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.ServiceToken;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Asks a scheduler service for each request's instances, keeps its lite-mode view current
 * ({@code /report}, {@code /release}) and stays registered over the {@code /keepalive}.
 *
 * <p>Design notes. The gateway never waits for a scheduler: while no keepalive is up, or when a
 * scheduler call fails, the request goes round-robin (per type for prefill/decode), so the
 * gateway serves with the scheduler down. A scheduler that answers 429 (nothing available), or
 * a pd_batch answer without its decode side, is asked again every retry interval until the
 * wait timeout, then the request fails with 503. An answer naming an endpoint the request must
 * avoid (it just failed the request; a dead instance looks idle until discovery drops it) is
 * released and asked again, three times, then round-robin picks one that has not failed.
 *
 * <p>What the scheduler hears of a request, by mode. Lite: at the first token its prefill
 * instance is released and {@code prefill_done} is reported for the instance generating it;
 * token reports go to that instance; at the end the rest is released. Full: nothing while it
 * runs (the engines' statuses carry the load); every instance is released if it failed. A
 * release goes only to the scheduler that allocated the request (the one the keepalive was
 * connected to then): a scheduler that lost the keepalive released the gateway's requests
 * already. In both modes, an instance that failed a request at the transport level is reported
 * at once ({@code instance_failed}), so the scheduler passes it over while it cools down.
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
    /** Instances released already: the prefill one, in lite mode, once its work is done. */
    final Set<LlmInstance> released = new HashSet<>(2);
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
      LlmInstance prefill = lease.instance(InferType.PREFILL);
      if (prefill != null && !settings.fullMode()) {
        releaseOnce(lease, prefill);
      }
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
      if (!(finished && settings.fullMode())) {
        for (LlmInstance instance : lease.instances()) {
          releaseOnce(lease, instance);
        }
      }
    }

    @Override
    public void failed(Lease lease, LlmInstance instance) {
      fallback.failed(instance); // round-robin picks pass it over too
      if (gatewayId.equals(connection.gatewayId())) {
        LeaseRequest request = lease.request();
        client.report(connection.current(), List.of(new ReportItem(
            ReportItem.Kind.INSTANCE_FAILED, request.id(), request.model(),
            instance.inferType(), instance.canonicalId(), gatewayId, 0)));
      }
    }

    @Override
    public Future<LlmInstance> decode(Lease lease) {
      LeaseRequest request = lease.request();
      String gateway = connection.gatewayId();
      Promise<List<LlmInstance>> result = Promise.promise();
      if (gateway == null || !gateway.equals(gatewayId)) {
        fallbackFor(request, InferType.DECODE, result); // not this scheduler's request now
      } else {
        ask(request, body(request, gateway, SchedulingStage.DECODE), InferType.DECODE,
            deadline(), 0, result);
      }
      return result.future().map(instances -> instances.get(0));
    }

    @Override
    public void chosenTooLate(Lease lease, LlmInstance instance) {
      releaseOnce(lease, instance);
    }

    private void releaseOnce(Lease lease, LlmInstance instance) {
      if (released.add(instance) && gatewayId.equals(connection.gatewayId())) {
        release(lease.request(), instance, gatewayId, 3);
      }
    }
  }

  public RemoteSchedulerBalancer(Vertx vertx, Clock clock, SchedulerSettings settings,
      RoundRobinBalancer fallback) {
    this(vertx, clock, settings, fallback, null);
  }

  /** As the other constructor, calling {@code local}'s endpoint in process when given. */
  public RemoteSchedulerBalancer(Vertx vertx, Clock clock, SchedulerSettings settings,
      RoundRobinBalancer fallback, @Nullable InProcessScheduler local) {
    this.clock = clock;
    this.settings = settings;
    this.fallback = fallback;
    this.client = SchedulerClient.create(vertx, settings.client(), local);
    this.connection = new SchedulerConnection(vertx, clock, settings.endpoints(),
        settings.reconnectMillis(), settings.pingCheckMillis(), tracked::clear,
        ServiceToken.of(settings.client().serviceToken()));
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
    Tracked holder = new Tracked(gateway);
    Promise<List<LlmInstance>> chosen = Promise.promise();
    ask(request, body(request, gateway, SchedulingStage.PREFILL), null, deadline(), 0, chosen);
    return chosen.future().transform(ar -> {
      if (ar.failed()) {
        return ar.cause() instanceof Fallback ? fallback.lease(request)
            : Future.failedFuture(ar.cause());
      }
      Lease lease = new Lease(request, ar.result(), holder);
      holder.lease = lease;
      tracked.put(request.id(), holder); // even without reports: the release goes here
      return Future.succeededFuture(lease);
    });
  }

  private SchedulingRequest body(LeaseRequest request, String gateway, SchedulingStage stage) {
    return SchedulingRequest.of(request.id(), request.model(), gateway, request.mode(), stage,
        request.promptTokens(), settings.forwardTokens() ? request.promptTokenIds() : null);
  }

  private long deadline() {
    return clock.nanoTime() + settings.waitSchedulingTimeoutMillis() * 1_000_000;
  }

  /** The scheduler did not answer usably: round-robin takes the request. */
  private static final class Fallback extends RuntimeException {
    Fallback() {
      super(null, null, false, false);
    }
  }

  /**
   * Asks {@code /schedule} until it names usable instances: of {@code stage} (a staged
   * decode), else the whole shape of the request's mode. Fails with {@link Fallback} when
   * round-robin should choose, or with 503 after the wait.
   */
  private void ask(LeaseRequest request, SchedulingRequest body, @Nullable InferType stage,
      long deadline, int reasks, Promise<List<LlmInstance>> result) {
    SchedulerEndpoint endpoint = connection.current();
    client.schedule(endpoint, body).onComplete(ar -> {
      if (ar.failed()) {
        logger.log(System.Logger.Level.WARNING, "scheduler " + endpoint + " failed ("
            + ar.cause().getMessage() + "); round-robin for " + request.id());
        if (failures.incrementAndGet() >= 3) {
          failures.set(0);
          connection.failOver();
        }
        fallbackFor(request, stage, result);
        return;
      }
      failures.set(0);
      // Nothing free: asked again every retry interval until the wait is over, then 503.
      Runnable noneAvailable = () -> {
        if (clock.nanoTime() < deadline) {
          clock.setTimer(settings.waitSchedulingRetryMillis(),
              () -> ask(request, body, stage, deadline, reasks, result));
        } else {
          result.fail(OpenAiError.of(503, "no available inference worker"));
        }
      };
      switch (ar.result()) {
        case Outcome.Scheduled scheduled when !scheduled.answer().schedulingResult().isEmpty() -> {
          List<LlmInstance> instances = scheduled.answer().schedulingResult();
          boolean complete = stage != null ? has(instances, stage) : complete(request, instances);
          if (!complete) {
            // Lite mode counted it on each instance named; full mode reverted it itself.
            if (!settings.fullMode()) {
              instances.forEach(i -> release(request, i, body.gatewayId(), 3));
            }
            noneAvailable.run();
          } else if (instances.stream().anyMatch(i -> request.avoid().contains(i.endpoint()))) {
            instances.forEach(i -> release(request, i, body.gatewayId(), 3));
            if (reasks < REASKS) {
              ask(request, body, stage, deadline, reasks + 1, result);
            } else {
              fallbackFor(request, stage, result);
            }
          } else {
            result.complete(instances);
          }
        }
        case Outcome.Failed failed when failed.status() == 429 -> noneAvailable.run();
        default -> fallbackFor(request, stage, result);
      }
    });
  }

  private void fallbackFor(LeaseRequest request, @Nullable InferType stage,
      Promise<List<LlmInstance>> result) {
    if (stage == null) {
      result.fail(new Fallback());
    } else if (fallback.next(stage, request.avoid()) instanceof LlmInstance instance) {
      result.complete(List.of(instance));
    } else {
      result.fail(OpenAiError.of(503, "no available inference worker"));
    }
  }

  /** Whether {@code instances} are what {@code request}'s mode needs at its first stage. */
  private static boolean complete(LeaseRequest request, List<LlmInstance> instances) {
    return switch (request.mode()) {
      case NEUTRAL -> true;
      case PD_BATCH -> has(instances, InferType.PREFILL) && has(instances, InferType.DECODE);
      case PD_STAGED -> has(instances, InferType.PREFILL);
    };
  }

  private static boolean has(List<LlmInstance> instances, InferType type) {
    return instances.stream().anyMatch(i -> i.inferType() == type);
  }

  /** {@code /release}, tried up to {@code triesLeft} times 500 ms apart, as the reference. */
  private void release(LeaseRequest request, LlmInstance instance, String gatewayId,
      int triesLeft) {
    SchedulingRequest body = SchedulingRequest.of(request.id(), request.model(), gatewayId,
        request.mode(), SchedulingStage.PREFILL, 0, null).withResult(List.of(instance));
    client.release(connection.current(), body).onComplete(ar -> {
      if ((ar.failed() || ar.result() instanceof Outcome.Failed f && f.status() >= 500)
          && triesLeft > 1) {
        clock.setTimer(500, () -> release(request, instance, gatewayId, triesLeft - 1));
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
      LlmInstance instance = t.lease.generating();
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
