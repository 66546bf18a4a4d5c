package io.llumnix.scheduler.policy;

import io.llumnix.core.instance.InferType;
import java.util.Map;

/**
 * What a policy is built from: the reference's dispatch flags.
 *
 * @param topK {@code --dispatch-top-k}
 * @param loadMetrics {@code --dispatch-<type>-load-metric} per infer type
 * @param loadThresholds {@code --dispatch-<type>-load-threshold} per infer type
 * @param seed seeds random choices, so a run can be repeated
 */
public record PolicyConfig(int topK, Map<InferType, String> loadMetrics,
    Map<InferType, Double> loadThresholds, long seed) {

  public PolicyConfig {
    loadMetrics = Map.copyOf(loadMetrics);
    loadThresholds = Map.copyOf(loadThresholds);
  }

  /** The reference's defaults, with lite mode's {@code num_requests} metric. */
  public static PolicyConfig liteDefaults() {
    return new PolicyConfig(1,
        Map.of(InferType.NEUTRAL, "num_requests", InferType.PREFILL, "num_requests",
            InferType.DECODE, "num_requests"),
        Map.of(InferType.NEUTRAL, 8192.0, InferType.PREFILL, 2048.0, InferType.DECODE, 1.0), 0);
  }
}
