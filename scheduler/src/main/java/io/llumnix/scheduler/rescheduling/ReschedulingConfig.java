package io.llumnix.scheduler.rescheduling;

import io.llumnix.core.instance.InferType;
import io.llumnix.llumlet.api.MigrationOrder;
import io.llumnix.llumlet.api.MigrationRule;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The rescheduler's settings: the reference's {@code --rescheduling-*} and
 * {@code --llumlet-grpc-*} flags, resolved. Built with {@link #builder()}, whose defaults are
 * the reference's; rescheduling is off unless a {@link Mode} says where it runs.
 *
 * @param mode where the rescheduler runs, if at all
 * @param intervalMillis {@code --rescheduling-interval-ms}: between rounds
 * @param policies {@code --rescheduling-policies}, in the order they choose pairs
 * @param loadMetrics {@code --rescheduling-<type>-load-metric}, a CMS load metric name
 * @param loadThresholds {@code --rescheduling-<type>-load-threshold} (neutral and decode):
 *     sources are at or above it, destinations below; {@code <= 0} or unit scope: no threshold
 * @param loadBalanceThreshold {@code --rescheduling-load-balance-threshold}: a load pair is
 *     kept only when its source's metric exceeds its destination's by this much; {@code <= 0}:
 *     any difference
 * @param scope {@code --rescheduling-load-balance-scope}
 * @param loadSelection {@code --rescheduling-req-select-{rule,order,value}}: what load
 *     policies ask sources to move (failover always asks {@link RequestSelection#FAILOVER})
 * @param grpcTimeoutSeconds {@code --llumlet-grpc-timeout-seconds}, resolved: each Migrate's
 *     deadline ({@value #DEFAULT_GRPC_TIMEOUT_SECONDS} s when the flag is {@code <= 0})
 * @param connectionPoolSize {@code --llumlet-grpc-connection-pool-size}: llumlet channels kept,
 *     the least recently used closed beyond it; {@code <= 0}: unbounded
 */
public record ReschedulingConfig(Mode mode, long intervalMillis, List<ReschedulingPolicy> policies,
    Map<InferType, String> loadMetrics, Map<InferType, Double> loadThresholds,
    double loadBalanceThreshold, Scope scope, RequestSelection loadSelection,
    int grpcTimeoutSeconds, int connectionPoolSize) {

  /** {@value} */
  public static final long DEFAULT_INTERVAL_MILLIS = 500;
  /** {@value}: every type's load metric. */
  public static final String DEFAULT_LOAD_METRIC = "kv_cache_usage_ratio_projected";
  /** {@value} */
  public static final double DEFAULT_LOAD_THRESHOLD = 1.0;
  /** {@value}: the reference's code default (its documentation says 0). */
  public static final double DEFAULT_LOAD_BALANCE_THRESHOLD = 0.7;
  /** {@value} */
  public static final String DEFAULT_RULE = "TOKEN";
  /** {@value} */
  public static final String DEFAULT_ORDER = "SR";
  /** {@value} */
  public static final double DEFAULT_VALUE = 1024;
  /** {@value}: the deadline when {@code --llumlet-grpc-timeout-seconds} is {@code <= 0}. */
  public static final int DEFAULT_GRPC_TIMEOUT_SECONDS = 5;
  /** {@value}: the flag's default, as the reference's code (its documentation says 10). */
  public static final int DEFAULT_GRPC_FLAG = -1;

  /** Where the rescheduler runs. */
  public enum Mode {
    /** Not at all (the default). */
    OFF,
    /** Inside the scheduler, over its CMS view ({@code --colocated-rescheduling-mode}). */
    COLOCATED,
    /** In a process of its own, reading the CMS itself ({@code --standalone-rescheduling-mode}). */
    STANDALONE
  }

  /** Which instances load policies pair. */
  public enum Scope {
    /** Any two of the type. */
    CLUSTER,
    /** Only two of one data-parallel unit ({@code unit_id}), with no load threshold. */
    UNIT;

    /** The flag value: {@code cluster} or {@code unit}. */
    public static Scope of(String name) {
      return switch (name) {
        case "cluster" -> CLUSTER;
        case "unit" -> UNIT;
        default -> throw new IllegalArgumentException("--rescheduling-load-balance-scope: "
            + name + " (expected: cluster or unit)");
      };
    }
  }

  public ReschedulingConfig {
    policies = List.copyOf(policies);
    loadMetrics = Map.copyOf(loadMetrics);
    loadThresholds = Map.copyOf(loadThresholds);
    if (mode != Mode.OFF && intervalMillis < 1) {
      throw new IllegalArgumentException(
          "--rescheduling-interval-ms: " + intervalMillis + " (expected: >= 1)");
    }
    for (InferType type : InferType.values()) {
      PairSelection.loadMetric(type, loadMetrics.getOrDefault(type, DEFAULT_LOAD_METRIC));
    }
    if (grpcTimeoutSeconds <= 0) {
      grpcTimeoutSeconds = DEFAULT_GRPC_TIMEOUT_SECONDS;
    }
  }

  /** Whether a rescheduler runs (in either mode). */
  public boolean enabled() {
    return mode != Mode.OFF;
  }

  /** The same settings running in {@code mode}. */
  public ReschedulingConfig withMode(Mode mode) {
    return new ReschedulingConfig(mode, intervalMillis, policies, loadMetrics, loadThresholds,
        loadBalanceThreshold, scope, loadSelection, grpcTimeoutSeconds, connectionPoolSize);
  }

  /** The reference's defaults, off. */
  public static ReschedulingConfig disabled() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ReschedulingConfig}; unset values are the reference's defaults. */
  public static final class Builder {
    private Mode mode = Mode.OFF;
    private long intervalMillis = DEFAULT_INTERVAL_MILLIS;
    private String policies = ReschedulingPolicy.DEFAULT_POLICIES;
    private final Map<InferType, String> metrics = new EnumMap<>(Map.of(
        InferType.NEUTRAL, DEFAULT_LOAD_METRIC, InferType.PREFILL, DEFAULT_LOAD_METRIC,
        InferType.DECODE, DEFAULT_LOAD_METRIC));
    private final Map<InferType, Double> thresholds = new EnumMap<>(Map.of(
        InferType.NEUTRAL, DEFAULT_LOAD_THRESHOLD, InferType.DECODE, DEFAULT_LOAD_THRESHOLD));
    private double loadBalanceThreshold = DEFAULT_LOAD_BALANCE_THRESHOLD;
    private String scope = "cluster";
    private String rule = DEFAULT_RULE;
    private String order = DEFAULT_ORDER;
    private double value = DEFAULT_VALUE;
    private int grpcTimeoutSeconds = DEFAULT_GRPC_FLAG;
    private int connectionPoolSize = DEFAULT_GRPC_FLAG;

    private Builder() {}

    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    public Builder intervalMillis(long millis) {
      this.intervalMillis = millis;
      return this;
    }

    /** Comma-separated policy names, e.g. {@value ReschedulingPolicy#DEFAULT_POLICIES}. */
    public Builder policies(String commaSeparated) {
      this.policies = commaSeparated;
      return this;
    }

    public Builder loadMetric(InferType type, String metric) {
      metrics.put(type, metric);
      return this;
    }

    /** Neutral and decode only: no prefill policy balances load. */
    public Builder loadThreshold(InferType type, double threshold) {
      thresholds.put(type, threshold);
      return this;
    }

    public Builder loadBalanceThreshold(double threshold) {
      this.loadBalanceThreshold = threshold;
      return this;
    }

    /** {@code cluster} or {@code unit}. */
    public Builder scope(String scope) {
      this.scope = scope;
      return this;
    }

    /** A {@link MigrationRule} name: {@code NUM_REQ}, {@code TOKEN} or {@code RATIO}. */
    public Builder reqSelectRule(String rule) {
      this.rule = rule;
      return this;
    }

    /** A {@link MigrationOrder} name, e.g. {@code SR}. */
    public Builder reqSelectOrder(String order) {
      this.order = order;
      return this;
    }

    public Builder reqSelectValue(double value) {
      this.value = value;
      return this;
    }

    /** {@code <= 0}: {@value #DEFAULT_GRPC_TIMEOUT_SECONDS} s. */
    public Builder grpcTimeoutSeconds(int seconds) {
      this.grpcTimeoutSeconds = seconds;
      return this;
    }

    /** {@code <= 0}: unbounded. */
    public Builder connectionPoolSize(int size) {
      this.connectionPoolSize = size;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException for an unknown policy, metric, scope, rule or order,
     *     naming the flag and what it takes
     */
    public ReschedulingConfig build() {
      List<ReschedulingPolicy> parsed = new ArrayList<>();
      for (String name : policies.split(",")) {
        String trimmed = name.strip().toLowerCase(Locale.ROOT);
        if (!trimmed.isEmpty() && !parsed.contains(ReschedulingPolicy.of(trimmed))) {
          parsed.add(ReschedulingPolicy.of(trimmed));
        }
      }
      RequestSelection selection = new RequestSelection(
          parse("--rescheduling-req-select-rule", rule, MigrationRule::of),
          parse("--rescheduling-req-select-order", order, MigrationOrder::of), value);
      return new ReschedulingConfig(mode, intervalMillis, parsed, metrics, thresholds,
          loadBalanceThreshold, Scope.of(scope), selection, grpcTimeoutSeconds,
          connectionPoolSize);
    }

    /** {@code parser}'s value of {@code value}, its error naming {@code flag}. */
    private static <T> T parse(String flag, String value, Function<String, T> parser) {
      try {
        return parser.apply(value);
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        throw new IllegalArgumentException(flag + ": " + message.substring(
            message.indexOf(':') + 2), e);
      }
    }
  }
}
