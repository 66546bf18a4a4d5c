package io.llumnix.scheduler.rescheduling;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.Clock;
import io.llumnix.llumlet.api.MigrateResponse;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.cms.FullModePolicies.FailoverDomain;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The rescheduling loop: every {@code --rescheduling-interval-ms} it chooses the round's
 * migrations from the CMS view ({@link PairSelection}) and sends each source's llumlet a
 * {@code Migrate}, all at once, each with the {@code --llumlet-grpc-timeout-seconds} deadline.
 * A Migrate that succeeds counts in {@code scheduler_rescheduling_total} (by request selection
 * rule and order); one that fails, or that the engine declines ({@code success=false}: nothing
 * to move), in {@code scheduler_rescheduling_failed_total}. Failures never stop the loop.
 *
 * <pre>{@code
 * Rescheduler rescheduler = new Rescheduler(view, config.rescheduling(), config.policyConfig(),
 *     clock, metrics);
 * rescheduler.start(); // on the view's event loop
 * }</pre>
 *
 * <p>Design notes. Rounds run on the view's event loop (the clock's timer), so the view needs
 * no lock and a round is a consistent snapshot of it; the pairs carry the immutable metadata
 * they need, and the calls go out on gRPC's async stub, whose callbacks (on gRPC's threads)
 * only count and log: nothing blocks the loop. A round is skipped while the previous one still
 * has calls under way, as the reference's loop waits for them, so a slow llumlet never has
 * Migrates piling up; and while the CMS cannot be read, since the view is then frozen. A
 * llumlet that keeps failing is logged once, then only counted until it answers again.
 */
public final class Rescheduler {

  private static final System.Logger logger = System.getLogger(Rescheduler.class.getName());

  private final CmsView view;
  private final ReschedulingConfig config;
  private final PairSelection selection;
  private final LlumletClient channels;
  private final Clock clock;
  private final LabeledMetric<CounterDataPoint> succeededMetric;
  private final Map<RequestSelection, CounterDataPoint> succeeded;
  private final CounterDataPoint failed;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Sources whose llumlet is failing, logged once until it answers again. */
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private long timer = -1;
  private volatile boolean stopped;

  /**
   * A rescheduler over {@code view}, which something else keeps current (a {@code CmsReader}).
   *
   * @param policyConfig the dispatch settings whose staleness and failover domain it shares
   */
  public Rescheduler(CmsView view, ReschedulingConfig config, PolicyConfig policyConfig,
      Clock clock, ComponentMetrics metrics) {
    this(view, config, policyConfig, clock, metrics,
        new LlumletChannels(config.connectionPoolSize()));
  }

  /** A rescheduler that reaches the llumlets through {@code llumlets} (a simulation's). */
  public Rescheduler(CmsView view, ReschedulingConfig config, PolicyConfig policyConfig,
      Clock clock, ComponentMetrics metrics, LlumletClient llumlets) {
    this.view = view;
    this.config = config;
    this.clock = clock;
    this.selection = new PairSelection(config, policyConfig.stalenessSeconds(),
        FailoverDomain.of(policyConfig.failoverDomain()), clock);
    this.channels = llumlets;
    this.succeededMetric = metrics.counter(LlumnixMetrics.SCHEDULER_RESCHEDULING_TOTAL);
    // The label sets its policies can produce, resolved once (and shown at 0 from the start).
    Map<RequestSelection, CounterDataPoint> points = new HashMap<>();
    for (ReschedulingPolicy policy : config.policies()) {
      RequestSelection s = policy.load() ? config.loadSelection() : RequestSelection.FAILOVER;
      points.computeIfAbsent(s, this::point);
    }
    this.succeeded = Map.copyOf(points);
    this.failed = metrics.counter(LlumnixMetrics.SCHEDULER_RESCHEDULING_FAILED_TOTAL).labels();
  }

  private CounterDataPoint point(RequestSelection s) {
    return succeededMetric.labels(s.rule().name(), s.order().name());
  }

  /** Starts the rounds, the first one interval from now; call on the view's event loop. */
  public void start() {
    logger.log(System.Logger.Level.INFO, "rescheduling every " + config.intervalMillis()
        + " ms: " + config.policies().stream().map(ReschedulingPolicy::policyName).toList());
    timer = clock.setPeriodic(config.intervalMillis(), this::round);
  }

  /** Stops the rounds and closes the channels; calls under way fail (and are counted). */
  public void stop() {
    stopped = true;
    clock.cancelTimer(timer);
    channels.close();
  }

  /** Migrate calls sent and not yet answered. */
  int inFlight() {
    return inFlight.get();
  }

  /** Instances with an open llumlet channel, least recently used first. */
  List<String> channelIds() {
    return channels.instanceIds();
  }

  /** One round: choose the pairs, send their Migrates. */
  void round() {
    if (stopped || inFlight.get() > 0 || !view.available()) {
      return;
    }
    List<MigrationPair> pairs;
    try {
      channels.forget(id -> view.instance(id) == null);
      failing.removeIf(id -> view.instance(id) == null);
      pairs = selection.select(view);
    } catch (RuntimeException e) {
      logger.log(System.Logger.Level.WARNING, "rescheduling round failed: " + e, e);
      return;
    }
    inFlight.set(pairs.size());
    for (MigrationPair pair : pairs) {
      logger.log(System.Logger.Level.DEBUG, "migrate " + pair);
      migrate(pair);
    }
  }

  private void migrate(MigrationPair pair) {
    try {
      channels.migrate(pair, config.grpcTimeoutSeconds(), new Answer(pair));
    } catch (RuntimeException e) {
      rpcFailed(pair, e.toString());
    }
  }

  /** The one answer to one Migrate, on a gRPC thread. */
  private final class Answer implements StreamObserver<MigrateResponse> {
    private final MigrationPair pair;
    private @Nullable MigrateResponse response;

    Answer(MigrationPair pair) {
      this.pair = pair;
    }

    @Override
    public void onNext(MigrateResponse value) {
      response = value;
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      rpcFailed(pair, status.getCode() + (status.getDescription() == null ? ""
          : ": " + status.getDescription()));
    }

    @Override
    public void onCompleted() {
      MigrateResponse answer = response;
      if (failing.remove(pair.srcId())) {
        logger.log(System.Logger.Level.INFO, "rescheduling: the llumlet of " + pair.srcId()
            + " answers again");
      }
      if (answer != null && answer.getSuccess()) {
        CounterDataPoint point = succeeded.get(pair.selection());
        (point != null ? point : point(pair.selection())).inc();
      } else {
        // The engine found nothing to move under the bound: common, so not a warning.
        failed.inc();
        logger.log(System.Logger.Level.DEBUG, pair + " declined: "
            + (answer == null ? "no response" : answer.getMessage()));
      }
      inFlight.decrementAndGet();
    }
  }

  private void rpcFailed(MigrationPair pair, String why) {
    failed.inc();
    if (failing.add(pair.srcId()) && !stopped) {
      logger.log(System.Logger.Level.WARNING, "rescheduling: " + pair + " failed: " + why
          + "; further failures of " + pair.srcId() + " are only counted "
          + "(scheduler_rescheduling_failed_total) until its llumlet answers");
    }
    inFlight.decrementAndGet();
  }
}
