package io.llumnix.scheduler.dispatch;

import io.llumnix.core.instance.Cooldown;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.ErrorType;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.cache.PrefixHits;
import io.llumnix.scheduler.policy.ClusterView;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.InstanceView;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Answers {@code /schedule} and {@code /release} for both modes: the mode/stage switch, the
 * policy's choice per infer type, and the bookkeeping of what was chosen, over a
 * {@link ClusterView} (lite mode's LRS or full mode's CMS).
 *
 * <p>Result shapes: neutral {@code [N]}; pd_batch {@code [P, D]}, or {@code [P]} alone when no
 * decode instance may be chosen (the view hears of it); pd_staged {@code [P]} or {@code [D]} by
 * stage. PD modes need both a prefill and a decode group, else 429. Every decision after the
 * view's availability check is timed in {@code request_full_mode_schedule_duration_milliseconds}
 * (in both modes, as the reference). An instance a gateway reported failed at the transport
 * level ({@code instance_failed}) is passed over for {@code --instance-failure-cooldown-ms}
 * while others of its type can be chosen ({@link Cooldown}). Runs on the scheduler's event
 * loop.
 *
 * @param <I> the view of one instance the policy reads
 */
public final class Dispatcher<I extends InstanceView> {

  private static final System.Logger logger = System.getLogger(Dispatcher.class.getName());

  private final DispatchPolicy<I> policy;
  private final ClusterView<I> view;
  private final SchedulingCounters counters;
  private final DistributionDataPoint duration;
  private final Clock clock;
  private final Cooldown cooldown;

  /** A dispatcher that never passes a failed instance over. */
  public Dispatcher(DispatchPolicy<I> policy, ClusterView<I> view, ComponentMetrics metrics,
      Clock clock) {
    this(policy, view, metrics, clock, Cooldown.NONE);
  }

  public Dispatcher(DispatchPolicy<I> policy, ClusterView<I> view, ComponentMetrics metrics,
      Clock clock, Cooldown cooldown) {
    this.cooldown = cooldown;
    this.policy = policy;
    this.view = view;
    this.counters = new SchedulingCounters(metrics);
    this.duration = metrics.histogram(
        LlumnixMetrics.REQUEST_FULL_MODE_SCHEDULE_DURATION_MILLISECONDS).labels();
    this.clock = clock;
  }

  /** Chooses instances for {@code request} and records the dispatch in the view. */
  public Outcome schedule(SchedulingRequest request) {
    return schedule(request, null);
  }

  /**
   * Chooses instances for {@code request}, whose prompt {@code hits} says where it is cached
   * (null when not looked up), and records the dispatch in the view.
   */
  public Outcome schedule(SchedulingRequest request, @Nullable PrefixHits hits) {
    if (!view.available()) {
      return counters.fail(ErrorType.CMS_NOT_AVAILABLE, 400, "cms not available");
    }
    long start = clock.nanoTime();
    try {
      view.prepare(request, hits);
      return dispatch(request);
    } finally {
      duration.observe(clock.millisSince(start));
    }
  }

  private Outcome dispatch(SchedulingRequest request) {
    List<LlmInstance> result = new ArrayList<>(2);
    if (request.mode() == SchedulingMode.NEUTRAL) {
      choose(InferType.NEUTRAL, request, result);
    } else {
      if (view.instances(InferType.PREFILL).isEmpty()
          || view.instances(InferType.DECODE).isEmpty()) {
        return counters.fail(ErrorType.NO_MATCH_INFER_TYPE, 429, "no available endpoint");
      }
      boolean batch = request.mode() == SchedulingMode.PD_BATCH;
      boolean decodeStage = request.stage() == SchedulingStage.DECODE;
      I prefill = batch || !decodeStage ? choose(InferType.PREFILL, request, result) : null;
      if (batch || decodeStage) {
        I decode = choose(InferType.DECODE, request, result);
        if (decode == null && batch && prefill != null) {
          view.prefillWithoutDecode(prefill, request);
        }
      }
    }
    if (result.isEmpty()) {
      return counters.fail(ErrorType.NO_AVAILABLE_ENDPOINT, 429, "no available endpoint");
    }
    counters.scheduled();
    return new Outcome.Scheduled(request.withResult(result));
  }

  /** Picks an instance of {@code type}, records it, adds it to {@code result}; or null. */
  private @Nullable I choose(InferType type, SchedulingRequest request,
      List<LlmInstance> result) {
    PolicyProfile<I> profile = policy.profile(type);
    List<I> candidates = cooldown.filter(view.instances(type), InstanceView::id);
    if (profile == null || candidates.isEmpty()) {
      return null;
    }
    int index = profile.select(candidates);
    if (index < 0) {
      return null;
    }
    I chosen = candidates.get(index);
    view.dispatched(chosen, request, type);
    result.add(chosen.instance());
    return chosen;
  }

  /** Releases {@code request} from the instances its result names. */
  public Outcome release(SchedulingRequest request) {
    if (request.schedulingResult().isEmpty()) {
      return new Outcome.Failed(400, "ignore, release 0 request.");
    }
    view.release(request);
    return new Outcome.Scheduled(request);
  }

  /** A gateway saw {@code instanceId} fail a request at the transport level. */
  public void failed(String instanceId) {
    if (cooldown.failed(instanceId)) {
      logger.log(System.Logger.Level.INFO, "instance " + instanceId + " failed a request; "
          + "passed over while it cools down");
    }
  }

  /** Counts a request that could not even be parsed. */
  public void invalidRequest() {
    counters.invalid();
  }
}
