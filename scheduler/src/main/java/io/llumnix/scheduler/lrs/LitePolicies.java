package io.llumnix.scheduler.lrs;

import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.Filter;
import io.llumnix.scheduler.policy.Metric;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.llumnix.scheduler.policy.Selector;
import java.util.List;

/** Lite mode's policies, over the LRS counts. */
public final class LitePolicies {

  private LitePolicies() {}

  /**
   * The lite metric named {@code name}: {@code num_requests}, else {@code num_tokens}, as the
   * reference maps full-mode metric names (the flags' defaults) in lite mode.
   */
  public static Metric<LrsInstance> metric(String name) {
    return name.equals("num_requests") ? Metric.numRequests() : Metric.numTokens();
  }

  /**
   * Lite {@code load-balance}: the least loaded instance by the lite metric, among those under
   * the type's threshold, all of them when none is.
   */
  public static DispatchPolicy<LrsInstance> loadBalance(PolicyConfig config) {
    return DispatchPolicy.perType("load-balance", type -> {
      Metric<LrsInstance> metric = metric(config.loadMetrics().getOrDefault(type, "num_tokens"));
      double threshold = config.loadThresholds().getOrDefault(type, Double.MAX_VALUE);
      return new PolicyProfile<>(List.of(metric), List.of(Filter.metricBelow(metric, threshold)),
          Selector.metricBased(config.topK(), config.seed() + type.ordinal()));
    });
  }
}
