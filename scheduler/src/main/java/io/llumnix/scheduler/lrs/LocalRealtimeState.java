package io.llumnix.scheduler.lrs;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.policy.ClusterView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-instance request and token counts for lite mode, with the six
 * {@code instance_lrs_*} gauges kept equal to them.
 *
 * <p>Design notes. A request is allocated on each instance a {@code /schedule} answer names,
 * with the prompt's tokens; {@code /report} raises its tokens (never lowers them) and marks its
 * prefill done; {@code /release} removes it. Every request belongs to the gateway that asked for
 * it, and a gateway whose keepalive drops has all its requests released, so that the counts
 * return to zero whatever the gateway did. An instance re-registered with a higher version
 * starts from zero; a lower or equal version is ignored. Not thread-safe: the scheduler's single
 * event loop owns it.
 */
public final class LocalRealtimeState implements ClusterView<LrsInstance> {

  /** What an operation did; anything but {@link #OK} changed nothing. */
  public enum Outcome {
    OK, UNKNOWN_INSTANCE, UNKNOWN_GATEWAY, UNKNOWN_REQUEST, DUPLICATE_REQUEST, GATEWAY_MISMATCH
  }

  private record RequestRef(String instanceId, String requestId) {}

  private static final System.Logger logger =
      System.getLogger(LocalRealtimeState.class.getName());

  private final LrsGauges gauges;
  private final Map<String, LrsInstance> instances = new HashMap<>();
  private final Map<InferType, List<LrsInstance>> byType = new EnumMap<>(InferType.class);
  private final Set<String> gateways = new HashSet<>();
  private final Map<String, Set<RequestRef>> requestsByGateway = new HashMap<>();

  public LocalRealtimeState(ComponentMetrics metrics) {
    gauges = new LrsGauges(metrics);
    for (InferType type : InferType.values()) {
      byType.put(type, List.of());
    }
  }

  // ---- instances

  /**
   * Adds or replaces an instance. A new id is added; a known id with a higher version starts
   * again from zero (its requests are dropped); a lower or equal version is ignored. Returns
   * whether the view changed.
   */
  public boolean upsertInstance(LlmInstance instance) {
    String id = instance.canonicalId();
    LrsInstance existing = instances.get(id);
    if (existing != null) {
      if (instance.version() <= existing.instance().version()) {
        return false;
      }
      removeInstance(id);
    }
    instances.put(id, new LrsInstance(instance, gauges));
    rebuildViews();
    return true;
  }

  /** Removes instance {@code id} and its requests; returns whether it was known. */
  public boolean removeInstance(String id) {
    LrsInstance state = instances.remove(id);
    if (state == null) {
      return false;
    }
    for (Map.Entry<String, LrsInstance.Request> entry : state.requests.entrySet()) {
      Set<RequestRef> refs = requestsByGateway.get(entry.getValue().gatewayId);
      if (refs != null) {
        refs.remove(new RequestRef(id, entry.getKey()));
      }
    }
    gauges.remove(state.labels);
    rebuildViews();
    return true;
  }

  /** The instances of {@code type}, sorted by id; a stable list until the membership changes. */
  @Override
  public List<LrsInstance> instances(InferType type) {
    return byType.get(type);
  }

  /** The instance with canonical id {@code id}, or null. */
  public LrsInstance instance(String id) {
    return instances.get(id);
  }

  /** Every known instance id. */
  public Set<String> instanceIds() {
    return Set.copyOf(instances.keySet());
  }

  private void rebuildViews() {
    Map<InferType, List<LrsInstance>> next = new EnumMap<>(InferType.class);
    for (InferType type : InferType.values()) {
      next.put(type, new ArrayList<>());
    }
    for (LrsInstance state : instances.values()) {
      next.get(state.instance().inferType()).add(state);
    }
    for (InferType type : InferType.values()) {
      List<LrsInstance> list = next.get(type);
      list.sort(Comparator.comparing(LrsInstance::id));
      byType.put(type, List.copyOf(list));
    }
  }

  // ---- what the dispatcher does

  /** Lite mode always schedules: its counts are its own. */
  @Override
  public boolean available() {
    return true;
  }

  /** Allocates the request on the instance with its prompt's tokens. */
  @Override
  public void dispatched(LrsInstance instance, SchedulingRequest request, InferType role) {
    Outcome allocated = allocate(request.id(), instance.id(), request.gatewayId(),
        request.promptNumTokens());
    if (allocated != Outcome.OK) {
      logger.log(System.Logger.Level.WARNING, "request {0} not tracked on {1}: {2}",
          request.id(), instance.id(), allocated);
    }
  }

  /** The prefill instance is answered and used alone, so it stays allocated. */
  @Override
  public void prefillWithoutDecode(LrsInstance prefill, SchedulingRequest request) {}

  @Override
  public void release(SchedulingRequest request) {
    for (LlmInstance instance : request.schedulingResult()) {
      release(request.id(), instance.canonicalId());
    }
  }

  // ---- gateways

  /** A gateway connected its keepalive; only registered gateways get requests allocated. */
  public void registerGateway(String gatewayId) {
    gateways.add(gatewayId);
  }

  /** Whether {@code gatewayId} is connected. */
  public boolean hasGateway(String gatewayId) {
    return gateways.contains(gatewayId);
  }

  /** A gateway's keepalive dropped: releases all its requests. Returns how many. */
  public int gatewayGone(String gatewayId) {
    gateways.remove(gatewayId);
    Set<RequestRef> refs = requestsByGateway.remove(gatewayId);
    if (refs == null) {
      return 0;
    }
    for (RequestRef ref : refs) {
      LrsInstance state = instances.get(ref.instanceId());
      if (state != null) {
        drop(state, ref.requestId());
      }
    }
    return refs.size();
  }

  // ---- requests

  /** Allocates request {@code requestId} on {@code instanceId} with the prompt's tokens. */
  public Outcome allocate(String requestId, String instanceId, String gatewayId, long tokens) {
    LrsInstance state = instances.get(instanceId);
    if (state == null) {
      return Outcome.UNKNOWN_INSTANCE;
    }
    if (!gateways.contains(gatewayId)) {
      return Outcome.UNKNOWN_GATEWAY;
    }
    if (state.requests.containsKey(requestId)) {
      return Outcome.DUPLICATE_REQUEST;
    }
    long clamped = Math.max(0, tokens);
    state.requests.put(requestId, new LrsInstance.Request(gatewayId, clamped));
    state.waitingRequests++;
    state.totalTokens += clamped;
    state.waitingTokens += clamped;
    requestsByGateway.computeIfAbsent(gatewayId, g -> new HashSet<>())
        .add(new RequestRef(instanceId, requestId));
    state.publish();
    return Outcome.OK;
  }

  /** Raises a request's token count to {@code tokens}; a lower value is ignored. */
  public Outcome updateTokens(String requestId, String instanceId, String gatewayId,
      long tokens) {
    LrsInstance state = instances.get(instanceId);
    LrsInstance.Request request = state == null ? null : state.requests.get(requestId);
    Outcome check = check(state, request, gatewayId);
    if (check != Outcome.OK) {
      return check;
    }
    if (tokens > request.tokens) {
      long delta = tokens - request.tokens;
      request.tokens = tokens;
      state.totalTokens += delta;
      if (!request.prefillDone) {
        state.waitingTokens += delta;
      }
      state.publish();
    }
    return Outcome.OK;
  }

  /** Marks a request's prefill done: it counts as running from now on. */
  public Outcome prefillDone(String requestId, String instanceId, String gatewayId) {
    LrsInstance state = instances.get(instanceId);
    LrsInstance.Request request = state == null ? null : state.requests.get(requestId);
    Outcome check = check(state, request, gatewayId);
    if (check != Outcome.OK) {
      return check;
    }
    if (!request.prefillDone) {
      request.prefillDone = true;
      state.waitingRequests--;
      state.waitingTokens -= request.tokens;
      state.publish();
    }
    return Outcome.OK;
  }

  /** Releases a request: its counts leave the instance. */
  public Outcome release(String requestId, String instanceId) {
    LrsInstance state = instances.get(instanceId);
    if (state == null) {
      return Outcome.UNKNOWN_INSTANCE;
    }
    LrsInstance.Request request = state.requests.get(requestId);
    if (request == null) {
      return Outcome.UNKNOWN_REQUEST;
    }
    Set<RequestRef> refs = requestsByGateway.get(request.gatewayId);
    if (refs != null) {
      refs.remove(new RequestRef(instanceId, requestId));
      if (refs.isEmpty()) {
        requestsByGateway.remove(request.gatewayId);
      }
    }
    drop(state, requestId);
    return Outcome.OK;
  }

  private static Outcome check(LrsInstance state, LrsInstance.Request request, String gatewayId) {
    if (state == null) {
      return Outcome.UNKNOWN_INSTANCE;
    }
    if (request == null) {
      return Outcome.UNKNOWN_REQUEST;
    }
    if (!request.gatewayId.equals(gatewayId)) {
      return Outcome.GATEWAY_MISMATCH;
    }
    return Outcome.OK;
  }

  private static void drop(LrsInstance state, String requestId) {
    LrsInstance.Request request = state.requests.remove(requestId);
    if (request == null) {
      return;
    }
    state.totalTokens = Math.max(0, state.totalTokens - request.tokens);
    if (!request.prefillDone) {
      state.waitingRequests--;
      state.waitingTokens = Math.max(0, state.waitingTokens - request.tokens);
    }
    state.publish();
  }
}
