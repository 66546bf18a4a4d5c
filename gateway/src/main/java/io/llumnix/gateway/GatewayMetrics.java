package io.llumnix.gateway;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's request metrics (llumnix.md §8.6, §9). The series of one model are resolved once
 * and cached (up to the cardinality cap), so a request resolves them with one map lookup and a
 * token records without any.
 */
final class GatewayMetrics {

  /** The data points of one model label. */
  record ModelPoints(String model, CounterDataPoint inputTokensTotal,
      CounterDataPoint outputTokensTotal, DistributionDataPoint e2e, DistributionDataPoint ttft,
      DistributionDataPoint itl, DistributionDataPoint tpot, DistributionDataPoint inputTokens,
      DistributionDataPoint outputTokens, DistributionDataPoint queue,
      DistributionDataPoint preprocess, DistributionDataPoint schedule,
      DistributionDataPoint postprocess) {}

  private final LabeledMetric<CounterDataPoint> requestTotal;
  private final LabeledMetric<CounterDataPoint> retryTotal;
  private final ComponentMetrics metrics;
  private final Map<String, ModelPoints> byModel = new ConcurrentHashMap<>();
  final GaugeDataPoint pending;
  final GaugeDataPoint current;

  GatewayMetrics(ComponentMetrics metrics) {
    this.metrics = metrics;
    metrics.registerAll(LlumnixMetrics.gateway());
    requestTotal = metrics.counter(LlumnixMetrics.REQUEST_TOTAL);
    retryTotal = metrics.counter(LlumnixMetrics.REQUEST_RETRY_TOTAL);
    pending = metrics.gauge(LlumnixMetrics.GATEWAY_PENDING_REQUESTS).labels();
    current = metrics.gauge(LlumnixMetrics.GATEWAY_CURRENT_REQUESTS).labels();
  }

  ModelPoints model(String model) {
    ModelPoints points = byModel.get(model);
    if (points != null) {
      return points;
    }
    points = new ModelPoints(model,
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

  void requestDone(String model, int status) {
    requestTotal.labels(model, Integer.toString(status)).inc();
  }

  void retried(String model, String cause) {
    retryTotal.labels(model, cause).inc();
  }
}
