package io.llumnix.cli;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.Scheduling;
import io.llumnix.scheduler.SchedulingService;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyRegistry;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix scheduler}: picks an instance for each request. */
@Command(name = "scheduler", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES},
    sortOptions = false,
    description = "Run the scheduler: /schedule, /release, /report, the /keepalive WebSocket, "
        + "/healthz and /metrics. Full mode (the default) reads instances and their load from "
        + "the CMS that engines' llumlets write; lite mode keeps its own per-instance load (the "
        + "LRS) from dispatches, token reports and releases, with instances from discovery.")
final class SchedulerCommand implements Callable<Integer> {

  @CommandLine.Mixin ConfigFileOption config;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on.")
  String host;

  @Option(names = "--port", defaultValue = "8088", description = "Port to listen on.")
  int port;

  @Option(names = "--enable-full-mode-scheduling", defaultValue = "true", negatable = true,
      fallbackValue = "true", description = "Schedule from engine-reported status in the CMS "
          + "(full mode; engines run a llumlet) instead of the scheduler's own counts (lite "
          + "mode).")
  boolean fullMode;

  @CommandLine.Mixin CmsOptions cms;

  @Option(names = "--scheduling-policy", defaultValue = "load-balance",
      description = "Dispatch policy: load-balance or round-robin.")
  String policy;

  @Option(names = "--dispatch-top-k", defaultValue = "1",
      description = "Pick uniformly among the K best instances.")
  int topK;

  @Option(names = "--dispatch-neutral-load-metric", defaultValue = "all_prefills_tokens_num",
      description = "Load metric of neutral instances (lite mode: num_requests, else "
          + "num_tokens).")
  String neutralMetric;

  @Option(names = "--dispatch-neutral-load-threshold", defaultValue = "8192",
      description = "Neutral instances at or above this load are skipped unless all are.")
  double neutralThreshold;

  @Option(names = "--dispatch-prefill-load-metric", defaultValue = "all_prefills_tokens_num",
      description = "Load metric of prefill instances.")
  String prefillMetric;

  @Option(names = "--dispatch-prefill-load-threshold", defaultValue = "2048",
      description = "Prefill instances at or above this load are skipped unless all are.")
  double prefillThreshold;

  @Option(names = "--dispatch-decode-load-metric", defaultValue = "kv_cache_usage_ratio_projected",
      description = "Load metric of decode instances.")
  String decodeMetric;

  @Option(names = "--dispatch-decode-load-threshold", defaultValue = "1.0",
      description = "Decode instances at or above this load are skipped unless all are.")
  double decodeThreshold;

  @CommandLine.Mixin BackendDiscoveryOptions discovery;

  @Option(names = "--keepalive-interval-ms", defaultValue = "3000",
      description = "Keepalive ping interval; a gateway missing two pings is dropped.")
  long keepaliveIntervalMillis;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of random choices.")
  long seed;

  @Option(names = "--metrics-max-label-sets", defaultValue = "1000",
      description = "Distinct label sets per metric before further ones fold into _overflow.")
  int maxLabelSets;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    discovery.validate();
    PolicyConfig config = new PolicyConfig(topK,
        Map.of(InferType.NEUTRAL, neutralMetric, InferType.PREFILL, prefillMetric,
            InferType.DECODE, decodeMetric),
        Map.of(InferType.NEUTRAL, neutralThreshold, InferType.PREFILL, prefillThreshold,
            InferType.DECODE, decodeThreshold), seed);
    ComponentMetrics metrics = ComponentMetrics.create(maxLabelSets);
    metrics.registerAll(LlumnixMetrics.scheduler());
    Vertx vertx = Vertx.vertx();
    Supplier<Scheduling> service;
    if (fullMode) {
      var domain = cms.validate(policy);
      service = () -> cms.service(domain, config, cms.redisStore(vertx), metrics);
    } else {
      DispatchPolicy dispatch = PolicyRegistry.builtins().create(policy, config);
      service = () -> new SchedulingService(dispatch, new LocalRealtimeState(metrics), metrics);
    }
    SchedulerServer server = new SchedulerServer(host, port, keepaliveIntervalMillis, metrics,
        service);
    try {
      vertx.deployVerticle(server).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
    if (!fullMode) {
      discovery.start(vertx, server); // full mode finds instances in the CMS instead
    }
    spec.commandLine().getOut().println("scheduler: "
        + (fullMode ? cms.describe() + ", instances from the CMS" : "lite mode, "
            + discovery.describe()) + ", policy " + policy
        + ", listening on " + host + ":" + server.actualPort());
    try (ShutdownSignal signal = new ShutdownSignal()) {
      signal.await();
      vertx.close().await(10, TimeUnit.SECONDS); // before the JVM exits
    }
    return 0;
  }
}
