package io.llumnix.cli;

import io.llumnix.core.instance.InferType;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingPolicy;
import picocli.CommandLine.Option;

/**
 * The scheduler's rescheduling flags, by the reference's names and code defaults: where the
 * rescheduler runs ({@code --colocated-rescheduling-mode}, {@code --standalone-rescheduling-mode})
 * and how it chooses migrations ({@code --rescheduling-*}, {@code --llumlet-grpc-*}). Booleans
 * also take {@code =true}/{@code =false}, as the reference's deployments write them.
 */
final class ReschedulingOptions {

  @Option(names = "--colocated-rescheduling-mode", defaultValue = "false", arity = "0..1",
      fallbackValue = "true",
      description = "Run the rescheduler inside the scheduler, over its CMS view (full mode).")
  boolean colocated;

  @Option(names = "--standalone-rescheduling-mode", defaultValue = "false", arity = "0..1",
      fallbackValue = "true",
      description = "Run only the rescheduler: it reads the CMS itself and serves /metrics and "
          + "/healthz on --port, no scheduling API (full mode).")
  boolean standalone;

  @Option(names = "--enable-rescheduling", defaultValue = "false", arity = "0..1",
      fallbackValue = "true",
      description = "Not read, as in the reference: a rescheduling mode flag turns it on.")
  boolean enableRescheduling;

  @Option(names = "--multi-model-support", defaultValue = "false", arity = "0..1",
      fallbackValue = "true",
      description = "Accepted for the reference's deployments; has no effect (as there).")
  boolean multiModelSupport;

  @Option(names = "--rescheduling-policies", defaultValue = ReschedulingPolicy.DEFAULT_POLICIES,
      description = "Comma-separated, in order: decode_load, neutral_load, prefill_failover, "
          + "decode_failover, neutral_failover.")
  String policies;

  @Option(names = "--rescheduling-interval-ms",
      defaultValue = "" + ReschedulingConfig.DEFAULT_INTERVAL_MILLIS,
      description = "Between rescheduling rounds.")
  long intervalMillis;

  @Option(names = "--rescheduling-decode-load-metric",
      defaultValue = ReschedulingConfig.DEFAULT_LOAD_METRIC,
      description = "Load metric of decode_load (and decode_failover).")
  String decodeMetric;

  @Option(names = "--rescheduling-decode-load-threshold",
      defaultValue = "" + ReschedulingConfig.DEFAULT_LOAD_THRESHOLD,
      description = "decode_load moves from instances at or above this load to ones below; "
          + "<= 0: no threshold.")
  double decodeThreshold;

  @Option(names = "--rescheduling-prefill-load-metric",
      defaultValue = ReschedulingConfig.DEFAULT_LOAD_METRIC,
      description = "Load metric of prefill_failover (no policy balances prefill load).")
  String prefillMetric;

  @Option(names = "--rescheduling-neutral-load-metric",
      defaultValue = ReschedulingConfig.DEFAULT_LOAD_METRIC,
      description = "Load metric of neutral_load (and neutral_failover).")
  String neutralMetric;

  @Option(names = "--rescheduling-neutral-load-threshold",
      defaultValue = "" + ReschedulingConfig.DEFAULT_LOAD_THRESHOLD,
      description = "neutral_load moves from instances at or above this load to ones below; "
          + "<= 0: no threshold.")
  double neutralThreshold;

  @Option(names = "--rescheduling-req-select-rule", defaultValue = ReschedulingConfig.DEFAULT_RULE,
      description = "What bounds a load migration: NUM_REQ, TOKEN or RATIO (of the KV cache).")
  String rule;

  @Option(names = "--rescheduling-req-select-order",
      defaultValue = ReschedulingConfig.DEFAULT_ORDER,
      description = "Which requests a load migration moves first: LCR, FCR, LR, SR, FCW, FCWSR.")
  String order;

  @Option(names = "--rescheduling-req-select-value",
      defaultValue = "" + ReschedulingConfig.DEFAULT_VALUE,
      description = "The bound, in the rule's unit.")
  double value;

  @Option(names = "--rescheduling-load-balance-threshold",
      defaultValue = "" + ReschedulingConfig.DEFAULT_LOAD_BALANCE_THRESHOLD,
      description = "A load pair needs its source this much above its destination; <= 0: any "
          + "difference.")
  double loadBalanceThreshold;

  @Option(names = "--rescheduling-load-balance-scope", defaultValue = "cluster",
      description = "cluster, or unit: pair only instances of one data-parallel unit.")
  String scope;

  @Option(names = "--llumlet-grpc-timeout-seconds",
      defaultValue = "" + ReschedulingConfig.DEFAULT_GRPC_FLAG,
      description = "Deadline of each Migrate, in seconds; <= 0: "
          + ReschedulingConfig.DEFAULT_GRPC_TIMEOUT_SECONDS + ".")
  int grpcTimeoutSeconds;

  @Option(names = "--llumlet-grpc-connection-pool-size",
      defaultValue = "" + ReschedulingConfig.DEFAULT_GRPC_FLAG,
      description = "Llumlet channels kept, least recently used closed first; <= 0: unbounded.")
  int connectionPoolSize;

  /**
   * The rescheduling settings.
   *
   * @throws IllegalArgumentException when both modes are asked for, or for a bad value
   */
  ReschedulingConfig config() {
    if (colocated && standalone) {
      throw new IllegalArgumentException("--colocated-rescheduling-mode and "
          + "--standalone-rescheduling-mode exclude each other: choose one");
    }
    ReschedulingConfig.Mode mode = colocated ? ReschedulingConfig.Mode.COLOCATED
        : standalone ? ReschedulingConfig.Mode.STANDALONE : ReschedulingConfig.Mode.OFF;
    return ReschedulingConfig.builder().mode(mode).intervalMillis(intervalMillis)
        .policies(policies)
        .loadMetric(InferType.DECODE, decodeMetric).loadMetric(InferType.PREFILL, prefillMetric)
        .loadMetric(InferType.NEUTRAL, neutralMetric)
        .loadThreshold(InferType.DECODE, decodeThreshold)
        .loadThreshold(InferType.NEUTRAL, neutralThreshold)
        .loadBalanceThreshold(loadBalanceThreshold).scope(scope).reqSelectRule(rule)
        .reqSelectOrder(order).reqSelectValue(value).grpcTimeoutSeconds(grpcTimeoutSeconds)
        .connectionPoolSize(connectionPoolSize).build();
  }

  /** What the startup line says about rescheduling; empty when it is off. */
  static String describe(ReschedulingConfig config) {
    if (!config.enabled()) {
      return "";
    }
    return ", rescheduling (" + config.mode().name().toLowerCase(java.util.Locale.ROOT)
        + ") every " + config.intervalMillis() + " ms: " + config.policies().stream()
        .map(ReschedulingPolicy::policyName).toList();
  }
}
