package io.llumnix.gateway.observe;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's request metrics. The series of one model are resolved once and cached (up to
 * the cardinality cap), so a request resolves them with one map lookup and a token records
 * without any. {@link RequestObservation} is the one place that records them per request.
 */
public final class GatewayMetrics {

  /** The data points of one model label. */
  record ModelPoints(CounterDataPoint inputTokensTotal, CounterDataPoint outputTokensTotal,
      DistributionDataPoint e2e, DistributionDataPoint ttft, DistributionDataPoint itl,
      DistributionDataPoint tpot, DistributionDataPoint inputTokens,
      DistributionDataPoint outputTokens, DistributionDataPoint queue,
      DistributionDataPoint preprocess, DistributionDataPoint schedule,
      DistributionDataPoint postprocess) {}

  private final LabeledMetric<CounterDataPoint> requestTotal;
  private final LabeledMetric<CounterDataPoint> retryTotal;
  private final ComponentMetrics metrics;
  private final Map<String, ModelPoints> byModel = new ConcurrentHashMap<>();
  private final GaugeDataPoint pending;
  private final GaugeDataPoint current;
  private int currentRequests;

  public GatewayMetrics(ComponentMetrics metrics) {
    this.metrics = metrics;
    metrics.registerAll(LlumnixMetrics.gateway());
    requestTotal = metrics.counter(LlumnixMetrics.REQUEST_TOTAL);
    retryTotal = metrics.counter(LlumnixMetrics.REQUEST_RETRY_TOTAL);
    pending = metrics.gauge(LlumnixMetrics.GATEWAY_PENDING_REQUESTS).labels();
    current = metrics.gauge(LlumnixMetrics.GATEWAY_CURRENT_REQUESTS).labels();
  }

  /** {@code gateway_pending_requests}: waiting in the queue plus being scheduled. */
  public GaugeDataPoint pending() {
    return pending;
  }

  /** A request that could not even be admitted (bad input), with the status it got. */
  public void rejected(String model, int status) {
    requestTotal.labels(model, Integer.toString(status)).inc();
  }

  /** Starts observing an admitted request. */
  public RequestObservation observe(String model, long arrivalNanos) {
    currentRequests++;
    current.set(currentRequests);
    return new RequestObservation(this, model, points(model), arrivalNanos);
  }

  void ended(String model, int status) {
    requestTotal.labels(model, Integer.toString(status)).inc();
    currentRequests--;
    current.set(currentRequests);
  }

  void retried(String model, String cause) {
    retryTotal.labels(model, cause).inc();
  }

  private ModelPoints points(String model) {
    ModelPoints points = byModel.get(model);
    if (points != null) {
      return points;
    }
    points = new ModelPoints(
        metrics.counter(LlumnixMetrics.REQUEST_INPUT_TOKENS_TOTAL).labels(model),
        metrics.counter(LlumnixMetrics.REQUEST_OUTPUT_TOKENS_TOTAL).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_E2E_LATENCY_SECONDS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_TTFT_MILLISECONDS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_ITL_MILLISECONDS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_TPOT_MILLISECONDS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_INPUT_TOKENS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_OUTPUT_TOKENS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_QUEUE_DURATION_MILLISECONDS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_PREPROCESS_DURATION_MILLISECONDS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_SCHEDULE_DURATION_MILLISECONDS).labels(model),
        metrics.histogram(LlumnixMetrics.REQUEST_POSTPROCESS_DURATION_MILLISECONDS)
            .labels(model));
    if (byModel.size() < ComponentMetrics.DEFAULT_MAX_LABEL_SETS) {
      byModel.putIfAbsent(model, points);
    }
    return points;
  }
}
