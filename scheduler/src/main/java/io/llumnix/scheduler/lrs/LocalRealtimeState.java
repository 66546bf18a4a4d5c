package io.llumnix.scheduler.lrs;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.llumnix.scheduler.policy.InstanceView;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-instance request and token counts for lite mode (llumnix.md §7), with the six
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
public final class LocalRealtimeState {

  /** What an operation did; anything but {@link #OK} changed nothing. */
  public enum Outcome {
    OK, UNKNOWN_INSTANCE, UNKNOWN_GATEWAY, UNKNOWN_REQUEST, DUPLICATE_REQUEST, GATEWAY_MISMATCH
  }

  private record RequestRef(String instanceId, String requestId) {}

  private static final class RequestState {
    final String gatewayId;
    long tokens;
    boolean prefillDone;

    RequestState(String gatewayId, long tokens) {
      this.gatewayId = gatewayId;
      this.tokens = tokens;
    }
  }

  /** One instance's counts; the view policies select from. */
  public final class InstanceState implements InstanceView {
    private final LlmInstance instance;
    private final String id;
    private final String[] labels;
    private final Map<String, RequestState> requests = new HashMap<>();
    private int waitingRequests;
    private long totalTokens;
    private long waitingTokens;
    private final GaugeDataPoint totalRequestsGauge;
    private final GaugeDataPoint waitingRequestsGauge;
    private final GaugeDataPoint runningRequestsGauge;
    private final GaugeDataPoint totalTokensGauge;
    private final GaugeDataPoint waitingTokensGauge;
    private final GaugeDataPoint runningTokensGauge;

    private InstanceState(LlmInstance instance) {
      this.instance = instance;
      this.id = instance.canonicalId();
      this.labels = new String[] {instance.model(), instance.endpoint(),
          instance.inferType().label()};
      totalRequestsGauge = totalRequests.labels(labels);
      waitingRequestsGauge = waitingRequestsMetric.labels(labels);
      runningRequestsGauge = runningRequests.labels(labels);
      totalTokensGauge = totalTokensMetric.labels(labels);
      waitingTokensGauge = waitingTokensMetric.labels(labels);
      runningTokensGauge = runningTokens.labels(labels);
      publish();
    }

    @Override
    public LlmInstance instance() {
      return instance;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public int numRequests() {
      return requests.size();
    }

    @Override
    public long numTokens() {
      return totalTokens;
    }

    /** Requests whose prefill is not done. */
    public int numWaitingRequests() {
      return waitingRequests;
    }

    /** Tokens of requests whose prefill is not done. */
    public long numWaitingTokens() {
      return waitingTokens;
    }

    private void publish() {
      totalRequestsGauge.set(requests.size());
      waitingRequestsGauge.set(waitingRequests);
      runningRequestsGauge.set(requests.size() - waitingRequests);
      totalTokensGauge.set(totalTokens);
      waitingTokensGauge.set(waitingTokens);
      runningTokensGauge.set(totalTokens - waitingTokens);
    }

    private void unpublish() {
      for (LabeledMetric<GaugeDataPoint> gauge : List.of(totalRequests, waitingRequestsMetric,
          runningRequests, totalTokensMetric, waitingTokensMetric, runningTokens)) {
        gauge.remove(labels);
      }
    }
  }

  private final LabeledMetric<GaugeDataPoint> totalRequests;
  private final LabeledMetric<GaugeDataPoint> waitingRequestsMetric;
  private final LabeledMetric<GaugeDataPoint> runningRequests;
  private final LabeledMetric<GaugeDataPoint> totalTokensMetric;
  private final LabeledMetric<GaugeDataPoint> waitingTokensMetric;
  private final LabeledMetric<GaugeDataPoint> runningTokens;
  private final Map<String, InstanceState> instances = new HashMap<>();
  private final Map<InferType, List<InstanceState>> byType = new EnumMap<>(InferType.class);
  private final Set<String> gateways = new HashSet<>();
  private final Map<String, Set<RequestRef>> requestsByGateway = new HashMap<>();

  public LocalRealtimeState(ComponentMetrics metrics) {
    totalRequests = metrics.gauge(LlumnixMetrics.INSTANCE_LRS_TOTAL_REQUESTS);
    waitingRequestsMetric = metrics.gauge(LlumnixMetrics.INSTANCE_LRS_WAITING_REQUESTS);
    runningRequests = metrics.gauge(LlumnixMetrics.INSTANCE_LRS_RUNNING_REQUESTS);
    totalTokensMetric = metrics.gauge(LlumnixMetrics.INSTANCE_LRS_TOTAL_TOKENS);
    waitingTokensMetric = metrics.gauge(LlumnixMetrics.INSTANCE_LRS_WAITING_TOKENS);
    runningTokens = metrics.gauge(LlumnixMetrics.INSTANCE_LRS_RUNNING_TOKENS);
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
    InstanceState existing = instances.get(id);
    if (existing != null) {
      if (instance.version() <= existing.instance.version()) {
        return false;
      }
      removeInstance(id);
    }
    instances.put(id, new InstanceState(instance));
    rebuildViews();
    return true;
  }

  /** Removes instance {@code id} and its requests; returns whether it was known. */
  public boolean removeInstance(String id) {
    InstanceState state = instances.remove(id);
    if (state == null) {
      return false;
    }
    for (Map.Entry<String, RequestState> entry : state.requests.entrySet()) {
      Set<RequestRef> refs = requestsByGateway.get(entry.getValue().gatewayId);
      if (refs != null) {
        refs.remove(new RequestRef(id, entry.getKey()));
      }
    }
    state.unpublish();
    rebuildViews();
    return true;
  }

  /** The instances of {@code type}, sorted by id; a stable list until the membership changes. */
  public List<InstanceState> instances(InferType type) {
    return byType.get(type);
  }

  /** The instance with canonical id {@code id}, or null. */
  public InstanceState instance(String id) {
    return instances.get(id);
  }

  /** Every known instance id. */
  public Set<String> instanceIds() {
    return Set.copyOf(instances.keySet());
  }

  private void rebuildViews() {
    Map<InferType, List<InstanceState>> next = new EnumMap<>(InferType.class);
    for (InferType type : InferType.values()) {
      next.put(type, new ArrayList<>());
    }
    for (InstanceState state : instances.values()) {
      next.get(state.instance.inferType()).add(state);
    }
    for (InferType type : InferType.values()) {
      List<InstanceState> list = next.get(type);
      list.sort(Comparator.comparing(InstanceState::id));
      byType.put(type, List.copyOf(list));
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
      InstanceState state = instances.get(ref.instanceId());
      if (state != null) {
        drop(state, ref.requestId());
      }
    }
    return refs.size();
  }

  // ---- requests

  /** Allocates request {@code requestId} on {@code instanceId} with the prompt's tokens. */
  public Outcome allocate(String requestId, String instanceId, String gatewayId, long tokens) {
    InstanceState state = instances.get(instanceId);
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
    state.requests.put(requestId, new RequestState(gatewayId, clamped));
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
    InstanceState state = instances.get(instanceId);
    RequestState request = state == null ? null : state.requests.get(requestId);
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
    InstanceState state = instances.get(instanceId);
    RequestState request = state == null ? null : state.requests.get(requestId);
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
    InstanceState state = instances.get(instanceId);
    if (state == null) {
      return Outcome.UNKNOWN_INSTANCE;
    }
    RequestState request = state.requests.get(requestId);
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

  private static Outcome check(InstanceState state, RequestState request, String gatewayId) {
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

  private static void drop(InstanceState state, String requestId) {
    RequestState request = state.requests.remove(requestId);
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
