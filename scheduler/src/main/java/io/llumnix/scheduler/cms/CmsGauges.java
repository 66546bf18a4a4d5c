package io.llumnix.scheduler.cms;

import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code instance_cms_*} gauges of every instance (labels {@code instance_id},
 * {@code infer_type}), in the order of {@link LlumnixMetrics#INSTANCE_CMS}: fifteen status
 * fields, then the account counters and the metrics derived from status and account. Each
 * instance's data points are looked up once, since dispatches update them per request.
 */
final class CmsGauges {

  /** Index of the first account gauge in {@link LlumnixMetrics#INSTANCE_CMS}. */
  private static final int FIRST_ACCOUNT_GAUGE = 15;

  private final List<LabeledMetric<GaugeDataPoint>> gauges = new ArrayList<>();

  CmsGauges(ComponentMetrics metrics) {
    for (var spec : LlumnixMetrics.INSTANCE_CMS) {
      gauges.add(metrics.gauge(spec));
    }
  }

  /** Every gauge of the instance: after a status, which changes them all. */
  void publish(CmsInstance instance) {
    InstanceStatus s = instance.status();
    GaugeDataPoint[] points = points(instance);
    points[0].set(s.getNumUsedGpuTokens());
    points[1].set(s.getNumWaitingRequests());
    points[2].set(s.getNumLoadingRequests());
    points[3].set(s.getNumRunningRequests());
    points[4].set(s.getSchedulerWaitingToDecodeRequestsNum());
    points[5].set(s.getSchedulerRunningToDecodeRequestsNum());
    points[6].set(s.getHybridSchedulerWaitingToDecodeRequestsNum());
    points[7].set(s.getNumUncomputedTokensAllWaitingPrefills());
    points[8].set(s.getNumUncomputedTokensSchedulerRunningPrefills());
    points[9].set(s.getNumUnallocatedTokensSchedulerRunningPrefills());
    points[10].set(s.getNumUnallocatedTokensHybridSchedulerWaitingDecodes());
    points[11].set(s.getHybridSchedulerWaitingToDecodeTokensNum());
    points[12].set(s.getSchedulerWaitingToDecodeTokensNum());
    points[13].set(s.getSchedulerRunningToDecodeTokensNum());
    points[14].set(s.getNumTokensLoadingRequests());
    publishAccount(instance);
  }

  /** The account gauges and the metrics derived from them: after a dispatch or release. */
  void publishAccount(CmsInstance instance) {
    GaugeDataPoint[] points = points(instance);
    int i = FIRST_ACCOUNT_GAUGE;
    points[i++].set(instance.req);
    points[i++].set(instance.prefillReq);
    points[i++].set(instance.decodeReq);
    points[i++].set(instance.prefillTok);
    points[i++].set(instance.decodeTok);
    points[i++].set(instance.kvCacheUsageRatioProjected());
    points[i++].set(instance.decodeBatchSize());
    points[i++].set(instance.allPrefillsTokensNum());
    points[i].set(instance.allDecodesTokensNum());
  }

  /** The instance left: its series go. */
  void remove(CmsInstance instance) {
    for (LabeledMetric<GaugeDataPoint> gauge : gauges) {
      gauge.remove(instance.id(), instance.inferType().label());
    }
    instance.gaugePoints = null;
  }

  private GaugeDataPoint[] points(CmsInstance instance) {
    GaugeDataPoint[] points = instance.gaugePoints;
    if (points == null) {
      points = new GaugeDataPoint[gauges.size()];
      for (int i = 0; i < points.length; i++) {
        points[i] = gauges.get(i).labels(instance.id(), instance.inferType().label());
      }
      instance.gaugePoints = points;
    }
    return points;
  }
}
