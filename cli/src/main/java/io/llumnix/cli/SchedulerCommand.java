package io.llumnix.cli;

import io.llumnix.cms.CmsStore;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.ServiceToken;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.rescheduling.ReschedulerServer;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix scheduler}: picks an instance for each request. */
@Command(name = "scheduler", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES},
    sortOptions = false,
    description = "Run the scheduler: /schedule, /release, /report, the /keepalive WebSocket "
        + "(the internal routes, behind --service-token), /healthz and /metrics. Full mode (the "
        + "default) reads instances and their load from the CMS that engines' llumlets write; "
        + "lite mode keeps its own per-instance load (the LRS) from dispatches, token reports "
        + "and releases, with instances from discovery. "
        + "In full mode a rescheduler can migrate requests between instances, inside the "
        + "scheduler (--colocated-rescheduling-mode) or alone (--standalone-rescheduling-mode).")
final class SchedulerCommand implements Callable<Integer> {

  @CommandLine.Mixin ConfigFileOption config;

  @Option(names = "--host", defaultValue = SchedulerConfig.DEFAULT_HOST,
      description = "Address to listen on.")
  String host;

  @Option(names = "--port", defaultValue = "" + SchedulerConfig.DEFAULT_PORT,
      description = "Port to listen on.")
  int port;

  @Option(names = "--internal-port", defaultValue = "0",
      description = "Serve /schedule, /release, /report and /keepalive on this port only, and "
          + "only /metrics and /healthz on --port (the internal paths answer 404 there); 0: "
          + "everything on --port. The gateways' --scheduler-endpoints then name this port.")
  int internalPort;

  @Option(names = "--service-token", defaultValue = "",
      description = "Require 'Authorization: Bearer <token>' (or the bare token) on /schedule, "
          + "/release, /report and the /keepalive upgrade, else 401; empty: no check. "
          + "/metrics and /healthz stay open. Give the gateways the same --service-token "
          + "(LLUMNIX_SERVICE_TOKEN, from a Secret).")
  String serviceToken;

  @Option(names = "--enable-full-mode-scheduling", defaultValue = "true", negatable = true,
      fallbackValue = "true", description = "Schedule from engine-reported status in the CMS "
          + "(full mode; engines run a llumlet) instead of the scheduler's own counts (lite "
          + "mode).")
  boolean fullMode;

  @CommandLine.Mixin CmsOptions cms;

  @Option(names = "--scheduling-policy", defaultValue = SchedulerConfig.DEFAULT_POLICY,
      description = "Dispatch policy: load-balance (both modes), flood (full mode: every "
          + "request to one instance while it is healthy) or round-robin (lite mode).")
  String policy;

  @CommandLine.Mixin DispatchOptions dispatch;

  @CommandLine.Mixin CacheAwareOptions cacheAware;

  @CommandLine.Mixin ReschedulingOptions rescheduling;

  @CommandLine.Mixin BackendDiscoveryOptions discovery;

  @Option(names = "--instance-failure-cooldown-ms",
      defaultValue = "" + SchedulerConfig.DEFAULT_FAILURE_COOLDOWN_MILLIS,
      description = "An instance a gateway saw fail a request at the transport level (refused "
          + "the connection, cut a stream, stopped answering its health check) is passed over "
          + "this long while others of its type can be chosen; 0: never.")
  long failureCooldownMillis;

  @Option(names = "--keepalive-interval-ms", defaultValue = "" + Keepalive.DEFAULT_INTERVAL_MILLIS,
      description = "Keepalive ping interval; a gateway missing two pings is dropped.")
  long keepaliveIntervalMillis;

  @Option(names = "--metrics-max-label-sets",
      defaultValue = "" + ComponentMetrics.DEFAULT_MAX_LABEL_SETS,
      description = "Distinct label sets per metric before further ones fold into _overflow.")
  int maxLabelSets;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The scheduler's settings from the flags. */
  SchedulerConfig config() {
    PolicyConfig.Builder policyConfig = dispatch.policy();
    SchedulerConfig.Builder builder = SchedulerConfig.builder().host(host).port(port)
        .internalPort(internalPort).serviceToken(ServiceToken.of(serviceToken))
        .failureCooldownMillis(failureCooldownMillis)
        .keepaliveIntervalMillis(keepaliveIntervalMillis).fullMode(fullMode).policy(policy);
    cms.apply(builder, policyConfig);
    return builder.policyConfig(policyConfig.build()).cacheAware(cacheAware.config())
        .rescheduling(rescheduling.config()).build();
  }

  @Override
  public Integer call() throws Exception {
    discovery.validate();
    SchedulerConfig config = config();
    if (cacheAware.enabled && !config.cacheAware().enabled()) {
      spec.commandLine().getErr().println("scheduler: --enable-cache-aware-scheduling needs full "
          + "mode and a policy other than flood: scheduling without it");
    }
    ComponentMetrics metrics = ComponentMetrics.create(maxLabelSets);
    metrics.registerAll(LlumnixMetrics.scheduler());
    boolean standalone = config.rescheduling().mode() == ReschedulingConfig.Mode.STANDALONE;
    // Before Vert.x starts: a bad --cms-redis-tls-ca-file is a usage error, not a hung process.
    Function<Vertx, CmsStore> store = fullMode || standalone ? cms.redisStore() : null;
    Vertx vertx = VertxFactory.create();
    SchedulerServer server = null;
    ReschedulerServer rescheduler = null;
    Deployable verticle;
    if (standalone) {
      verticle = rescheduler = new ReschedulerServer(config, metrics, store, null);
    } else {
      verticle = server = new SchedulerServer(config, metrics, store, null);
    }
    try {
      vertx.deployVerticle(verticle).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("cannot listen on " + host + ":" + port
          + (internalPort > 0 && !standalone ? " and " + internalPort : "") + ": "
          + e.getMessage(), e);
    }
    if (standalone) {
      spec.commandLine().getOut().println("rescheduler: " + cms.describe()
          + ReschedulingOptions.describe(config.rescheduling()) + "; /metrics and /healthz on "
          + host + ":" + rescheduler.actualPort());
    } else {
      if (!fullMode) {
        discovery.start(vertx, server); // full mode finds instances in the CMS instead
      }
      spec.commandLine().getOut().println("scheduler: "
          + (fullMode ? cms.describe() + ", instances from the CMS" : "lite mode, "
              + discovery.describe()) + ", policy " + policy
          + (config.cacheAware().enabled() ? ", cache-aware ("
              + config.cacheAware().backend().flagValue() + ")" : "")
          + ReschedulingOptions.describe(config.rescheduling())
          + ", listening on " + host + ":" + server.actualPort()
          + (internalPort > 0 ? " (/metrics, /healthz) and " + host + ":"
              + server.internalPort() + " (internal routes)" : "")
          + (config.serviceToken().enabled() ? ", service token required"
              : ", no --service-token: the internal routes accept any caller"));
    }
    try (ShutdownSignal signal = new ShutdownSignal()) {
      signal.await();
      if (server != null) { // calls under way are answered before the listeners close
        server.drain(5000).await(6, TimeUnit.SECONDS);
      }
      vertx.close().await(10, TimeUnit.SECONDS); // before the JVM exits
    }
    return 0;
  }

  /** The reference's {@code --dispatch-*} flags. */
  static final class DispatchOptions {

    @Option(names = "--dispatch-top-k", defaultValue = "" + PolicyConfig.DEFAULT_TOP_K,
        description = "Pick uniformly among the K best instances.")
    int topK;

    @Option(names = "--dispatch-neutral-load-metric",
        defaultValue = PolicyConfig.DEFAULT_NEUTRAL_METRIC,
        description = "Load metric of neutral instances (lite mode: num_requests, else "
            + "num_tokens).")
    String neutralMetric;

    @Option(names = "--dispatch-neutral-load-threshold",
        defaultValue = "" + PolicyConfig.DEFAULT_NEUTRAL_THRESHOLD,
        description = "Neutral instances at or above this load are skipped unless all are.")
    double neutralThreshold;

    @Option(names = "--dispatch-prefill-load-metric",
        defaultValue = PolicyConfig.DEFAULT_PREFILL_METRIC,
        description = "Load metric of prefill instances.")
    String prefillMetric;

    @Option(names = "--dispatch-prefill-load-threshold",
        defaultValue = "" + PolicyConfig.DEFAULT_PREFILL_THRESHOLD,
        description = "Prefill instances at or above this load are skipped unless all are.")
    double prefillThreshold;

    @Option(names = "--dispatch-decode-load-metric",
        defaultValue = PolicyConfig.DEFAULT_DECODE_METRIC,
        description = "Load metric of decode instances.")
    String decodeMetric;

    @Option(names = "--dispatch-decode-load-threshold",
        defaultValue = "" + PolicyConfig.DEFAULT_DECODE_THRESHOLD,
        description = "Decode instances at or above this load are skipped unless all are.")
    double decodeThreshold;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of random choices.")
    long seed;

    PolicyConfig.Builder policy() {
      return PolicyConfig.builder().topK(topK).seed(seed)
          .loadMetric(InferType.NEUTRAL, neutralMetric)
          .loadMetric(InferType.PREFILL, prefillMetric)
          .loadMetric(InferType.DECODE, decodeMetric)
          .loadThreshold(InferType.NEUTRAL, neutralThreshold)
          .loadThreshold(InferType.PREFILL, prefillThreshold)
          .loadThreshold(InferType.DECODE, decodeThreshold);
    }
  }
}
