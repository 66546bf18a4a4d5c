package io.llumnix.scheduler.lrs;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.scheduler.policy.InstanceView;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.HashMap;
import java.util.Map;

/**
 * One instance as lite mode counts it: the requests dispatched to it and not released, their
 * tokens, and how many have not finished their prefill; the six {@code instance_lrs_*} gauges
 * kept equal to them. Owned by the scheduler's event loop.
 */
public final class LrsInstance implements InstanceView {

  /** One request on the instance. */
  static final class Request {
    final String gatewayId;
    long tokens;
    boolean prefillDone;

    Request(String gatewayId, long tokens) {
      this.gatewayId = gatewayId;
      this.tokens = tokens;
    }
  }

  private final LlmInstance instance;
  private final String id;
  final String[] labels;
  final Map<String, Request> requests = new HashMap<>();
  int waitingRequests;
  long totalTokens;
  long waitingTokens;
  private final GaugeDataPoint[] gauges;

  LrsInstance(LlmInstance instance, LrsGauges gauges) {
    this.instance = instance;
    this.id = instance.canonicalId();
    this.labels = new String[] {instance.model(), instance.endpoint(),
        instance.inferType().label()};
    this.gauges = gauges.points(labels);
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

  /** Sets the gauges, in {@link LrsGauges}' order. */
  void publish() {
    gauges[0].set(requests.size());
    gauges[1].set(waitingRequests);
    gauges[2].set(requests.size() - waitingRequests);
    gauges[3].set(totalTokens);
    gauges[4].set(waitingTokens);
    gauges[5].set(totalTokens - waitingTokens);
  }

  @Override
  public String toString() {
    return "LrsInstance[" + id + ", requests " + requests.size() + ", tokens " + totalTokens
        + "]";
  }
}
