package io.llumnix.scheduler.lrs;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.List;

/**
 * The six {@code instance_lrs_*} gauges (labels {@code model}, {@code instance_id} = the
 * instance's {@code host:port}, {@code infer_type}): total, waiting and running requests, then
 * the same for tokens.
 */
final class LrsGauges {

  private final List<LabeledMetric<GaugeDataPoint>> gauges;

  LrsGauges(ComponentMetrics metrics) {
    gauges = List.of(metrics.gauge(LlumnixMetrics.INSTANCE_LRS_TOTAL_REQUESTS),
        metrics.gauge(LlumnixMetrics.INSTANCE_LRS_WAITING_REQUESTS),
        metrics.gauge(LlumnixMetrics.INSTANCE_LRS_RUNNING_REQUESTS),
        metrics.gauge(LlumnixMetrics.INSTANCE_LRS_TOTAL_TOKENS),
        metrics.gauge(LlumnixMetrics.INSTANCE_LRS_WAITING_TOKENS),
        metrics.gauge(LlumnixMetrics.INSTANCE_LRS_RUNNING_TOKENS));
  }

  /** The data points of one label set, looked up once. */
  GaugeDataPoint[] points(String[] labels) {
    GaugeDataPoint[] points = new GaugeDataPoint[gauges.size()];
    for (int i = 0; i < points.length; i++) {
      points[i] = gauges.get(i).labels(labels);
    }
    return points;
  }

  /** Removes the series of one label set (the instance left). */
  void remove(String[] labels) {
    for (LabeledMetric<GaugeDataPoint> gauge : gauges) {
      gauge.remove(labels);
    }
  }
}
