package io.llumnix.scheduler.cms;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.EnumMap;
import java.util.Map;

/**
 * The {@code selected_instance_*} histograms: the chosen instance's metrics, by the role it was
 * chosen for. A neutral pick is observed once, under {@code neutral} (the reference counts it
 * under prefill and decode too).
 */
final class SelectedHistograms {

  private record Points(DistributionDataPoint kvUsage, DistributionDataPoint batchSize,
      DistributionDataPoint prefillTokens, DistributionDataPoint decodeTokens) {}

  private final Map<InferType, Points> byRole = new EnumMap<>(InferType.class);

  SelectedHistograms(ComponentMetrics metrics) {
    for (InferType type : InferType.values()) {
      String label = type.label();
      byRole.put(type, new Points(
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_KV_CACHE_USAGE_RATIO_PROJECTED)
              .labels(label),
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_DECODE_BATCH_SIZE).labels(label),
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_ALL_PREFILLS_TOKENS_NUM)
              .labels(label),
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_ALL_DECODES_TOKENS_NUM)
              .labels(label)));
    }
  }

  void observe(InferType role, CmsInstance instance) {
    Points points = byRole.get(role);
    points.kvUsage().observe(instance.kvCacheUsageRatioProjected());
    points.batchSize().observe(instance.decodeBatchSize());
    points.prefillTokens().observe(instance.allPrefillsTokensNum());
    points.decodeTokens().observe(instance.allDecodesTokensNum());
  }
}
