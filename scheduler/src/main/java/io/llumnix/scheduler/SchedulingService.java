package io.llumnix.scheduler;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Lite-mode scheduling: picks instances by the dispatch policy over the LRS view and keeps the
 * LRS in step with dispatches, reports and releases. Runs on the scheduler's event loop.
 */
public final class SchedulingService implements Scheduling {

  private static final System.Logger logger =
      System.getLogger(SchedulingService.class.getName());

  /** An error type of {@code scheduler_scheduling_failed_total}. */
  public enum ErrorType {
    ENDPOINT_NOT_FOUND, NO_AVAILABLE_ENDPOINT, ALL_ENDPOINTS_BUSY, NO_MATCH_INFER_TYPE,
    CMS_NOT_AVAILABLE, SCHEDULER_NOT_READY, UNKNOWN;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What {@code /schedule} or {@code /release} answers. */
  public sealed interface Outcome {
    /** 200 with the request echoed and its result. */
    record Scheduled(SchedulingRequest answer) implements Outcome {}

    /** An error status with the reference's plain-text message. */
    record Failed(int status, String message) implements Outcome {}
  }

  private final DispatchPolicy policy;
  private final LocalRealtimeState lrs;
  private final SchedulingCounters counters;

  public SchedulingService(DispatchPolicy policy, LocalRealtimeState lrs,
      ComponentMetrics metrics) {
    this.policy = policy;
    this.lrs = lrs;
    this.counters = new SchedulingCounters(metrics);
  }

  public LocalRealtimeState lrs() {
    return lrs;
  }

  @Override
  public void up(LlmInstance instance) {
    lrs.upsertInstance(instance);
  }

  @Override
  public void down(String instanceId) {
    lrs.removeInstance(instanceId);
  }

  @Override
  public void registerGateway(String gatewayId) {
    lrs.registerGateway(gatewayId);
  }

  @Override
  public int gatewayGone(String gatewayId) {
    return lrs.gatewayGone(gatewayId);
  }

  /** Counts a request that could not even be parsed. */
  @Override
  public void invalidRequest() {
    counters.invalid();
  }

  /** Chooses instances for {@code request} and allocates it on them. */
  @Override
  public Outcome schedule(SchedulingRequest request) {
    List<LlmInstance> result;
    switch (request.schedulingMode()) {
      case SchedulingRequest.NEUTRAL -> {
        LlmInstance neutral = pick(InferType.NEUTRAL);
        result = neutral == null ? List.of() : List.of(neutral);
      }
      case SchedulingRequest.PD_BATCH, SchedulingRequest.PD_STAGED -> {
        if (lrs.instances(InferType.PREFILL).isEmpty()
            || lrs.instances(InferType.DECODE).isEmpty()) {
          return fail(ErrorType.NO_MATCH_INFER_TYPE, 429, "no available endpoint");
        }
        if (request.schedulingMode().equals(SchedulingRequest.PD_STAGED)) {
          LlmInstance one = pick(request.schedulingStage().equals("decode")
              ? InferType.DECODE : InferType.PREFILL);
          result = one == null ? List.of() : List.of(one);
        } else {
          LlmInstance prefill = pick(InferType.PREFILL);
          LlmInstance decode = pick(InferType.DECODE);
          result = Stream.of(prefill, decode).filter(i -> i != null).toList();
        }
      }
      default -> {
        return fail(ErrorType.UNKNOWN, 400, "invalid scheduling req");
      }
    }
    if (result.isEmpty()) {
      return fail(ErrorType.NO_AVAILABLE_ENDPOINT, 429, "no available endpoint");
    }
    for (LlmInstance instance : result) {
      LocalRealtimeState.Outcome allocated = lrs.allocate(request.id(), instance.canonicalId(),
          request.gatewayId(), request.promptNumTokens());
      if (allocated != LocalRealtimeState.Outcome.OK) {
        logger.log(System.Logger.Level.WARNING, "request {0} not tracked on {1}: {2}",
            request.id(), instance.canonicalId(), allocated);
      }
    }
    counters.scheduled();
    return new Outcome.Scheduled(request.withResult(result));
  }

  /** Releases {@code request} from the one instance it names. */
  @Override
  public Outcome release(SchedulingRequest request) {
    if (request.schedulingResult().isEmpty()) {
      return new Outcome.Failed(400, "ignore, release 0 request.");
    }
    for (LlmInstance instance : request.schedulingResult()) {
      lrs.release(request.id(), instance.canonicalId());
    }
    return new Outcome.Scheduled(request);
  }

  /**
   * Applies {@code /report} items: {@code prefill_done} marks, else token updates. Per-item
   * errors are logged, as the reference does; returns how many applied.
   */
  @Override
  public int report(JsonArray items) {
    int applied = 0;
    for (Object item : items) {
      if (!(item instanceof JsonObject report)) {
        continue;
      }
      String id = report.getString("id", "");
      String instance = report.getString("instance_id", "");
      String gateway = report.getString("gateway_id", "");
      LocalRealtimeState.Outcome outcome = "prefill_done".equals(report.getString("kind"))
          ? lrs.prefillDone(id, instance, gateway)
          : lrs.updateTokens(id, instance, gateway, report.getLong("num_tokens", 0L));
      if (outcome == LocalRealtimeState.Outcome.OK) {
        applied++;
      } else {
        logger.log(System.Logger.Level.DEBUG, "report for {0} on {1} ignored: {2}", id,
            instance, outcome);
      }
    }
    return applied;
  }

  private @Nullable LlmInstance pick(InferType type) {
    PolicyProfile profile = policy.profile(type);
    List<LocalRealtimeState.InstanceState> candidates = lrs.instances(type);
    if (profile == null) {
      return null;
    }
    int index = profile.select(candidates);
    return index < 0 ? null : candidates.get(index).instance();
  }

  private Outcome fail(ErrorType type, int status, String message) {
    return counters.fail(type, status, message);
  }
}
