package io.llumnix.cli;

import io.llumnix.gateway.GatewayConfig;
import io.llumnix.gateway.GatewayServer;
import io.llumnix.gateway.forward.VllmKvtForwarder;
import io.llumnix.gateway.health.EngineHealthSettings;
import io.llumnix.gateway.mirror.MirrorSettings;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.SchedulerSettings;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix gateway}: the OpenAI-compatible front door. */
@Command(name = "gateway", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES, Main.DURATIONS}, sortOptions = false,
    description = "Run the gateway: POST /v1/chat/completions and /v1/completions, GET "
        + "/v1/models, /healthz and /metrics. It tokenizes, asks the scheduler for an instance "
        + "(round-robin while no scheduler answers), forwards to the engine and streams back.")
final class GatewayCommand implements Callable<Integer> {

  @CommandLine.Mixin GatewayOptions options;

  @CommandLine.Mixin ConfigFileOption config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    GatewayConfig gateway = options.config(); // a bad value stops us before anything starts
    List<SchedulerEndpoint> schedulers = options.schedulers();
    Vertx vertx = VertxFactory.create();
    InstanceDirectory directory = new InstanceDirectory();
    options.discovery.start(vertx, directory);
    GatewayServer server = options.start(vertx, gateway, directory, schedulers);
    spec.commandLine().getOut().println("gateway: listening on " + options.host + ":"
        + server.actualPort() + " (" + options.describe() + ")");
    long drainMillis = options.shutdownTimeout.toMillis();
    try (ShutdownSignal signal = new ShutdownSignal(drainMillis)) {
      signal.await();
      spec.commandLine().getOut().println("gateway: draining " + server.inFlight()
          + " request(s), up to " + options.shutdownTimeout.toSeconds() + " s");
      spec.commandLine().getOut().flush();
      server.drain(drainMillis).await(drainMillis + 5000, TimeUnit.MILLISECONDS);
      vertx.close().await(10, TimeUnit.SECONDS); // before the JVM exits
    }
    return 0;
  }

  /** The gateway's flags, mapped onto its builders; shared with {@code llumnix local}. */
  static final class GatewayOptions {

    @Option(names = "--host", defaultValue = GatewayConfig.DEFAULT_HOST,
        description = "Address to listen on.")
    String host;

    @Option(names = "--port", defaultValue = "" + GatewayConfig.DEFAULT_PORT,
        description = "Port to listen on.")
    int port;

    @Option(names = "--max-model-len", defaultValue = "0",
        description = "Context length for validation and chat's default max_tokens; 0 leaves "
            + "both to the engine.")
    int maxModelLen;

    @CommandLine.Mixin TokenizerOptions tokenizer;

    @Option(names = "--scheduling-policy", defaultValue = "load-balance",
        description = "round-robin (local) or a scheduler policy (ask --scheduler-endpoints).")
    String policy;

    @Option(names = "--scheduler-endpoints", defaultValue = "",
        description = "Schedulers host:port[,host:port...], tried in turn.")
    String schedulerEndpoints;

    @Option(names = "--service-token", defaultValue = "",
        description = "Sent as 'Authorization: Bearer <token>' to the schedulers (calls and the "
            + "keepalive); must be their --service-token.")
    String serviceToken;

    @Option(names = "--forward-tokens", defaultValue = "true", negatable = true,
        fallbackValue = "true", description = "Send the prompt's token ids to the scheduler "
            + "(prompt_token_ids), so it can hash prompts for cache-aware scheduling.")
    boolean forwardTokens;

    @Option(names = "--wait-scheduling-timeout", defaultValue = "5s",
        description = "How long to keep asking a scheduler that has no instance free.")
    Duration waitSchedulingTimeout;

    @Option(names = "--wait-scheduling-retry-interval", defaultValue = "1s",
        description = "Between those asks.")
    Duration waitSchedulingRetryInterval;

    @Option(names = "--enable-full-mode-scheduling", defaultValue = "true", negatable = true,
        fallbackValue = "true", description = "The scheduler runs full mode (engine status in "
            + "the CMS): requests are not reported, and released only when forwarding fails. "
            + "Match the scheduler's flag.")
    boolean fullMode;

    @Option(names = "--requests-report-duration", defaultValue = "1s",
        description = "Between token reports to a lite-mode scheduler; 0 = none.")
    Duration reportInterval;

    @Option(names = "--pd-disagg-protocol", defaultValue = "",
        description = "Prefill/decode disaggregation: vllm-kvt or vllm-mooncake (how prefill "
            + "and decode instances hand over the KV cache); empty = neutral instances only.")
    String pdProtocol;

    @Option(names = "--separate-pd-scheduling", defaultValue = "false", arity = "0..1",
        fallbackValue = "true", description = "Schedule a request's decode instance after its "
            + "prefill is done (pd_staged) instead of both at once (pd_batch).")
    boolean separatePdScheduling;

    @Option(names = "--mirror-config", defaultValue = "/mnt/mirror.json",
        description = "Mirror config file ({\"Enable\", \"Target\", \"Ratio\" (percent), "
            + "\"Timeout\" (ms), \"Authorization\", \"EnableLog\"}), re-read when it changes; "
            + "missing: no mirroring; empty: never read.")
    String mirrorConfig;

    @Option(names = "--mirror-config-interval", defaultValue = "10s",
        description = "Between reads of --mirror-config.")
    Duration mirrorConfigInterval;

    @Option(names = "--mirror-max-in-flight", defaultValue = "64",
        description = "Mirrored copies under way at once; more are dropped (counted).")
    int mirrorMaxInFlight;

    @CommandLine.Mixin RoutingOptions routing;

    @Option(names = "--max-queue-size", defaultValue = "" + GatewayConfig.DEFAULT_MAX_QUEUE_SIZE,
        description = "Requests waiting for an instance before new ones wait, then get 429.")
    int maxQueueSize;

    @Option(names = "--wait-queue-threads", defaultValue = "" + GatewayConfig.DEFAULT_QUEUE_WORKERS,
        description = "Requests scheduled at once; the rest wait in the queue by priority.")
    int waitQueueThreads;

    @Option(names = "--wait-queue-interval", defaultValue = "1s",
        description = "How long a request waits for room in a full queue before 429.")
    Duration waitQueueInterval;

    @Option(names = "--retry-max-count", defaultValue = "0",
        description = "Retries on another instance before the first byte reached the client.")
    int retryMaxCount;

    @CommandLine.Mixin AccessOptions access;

    @Option(names = "--engine-idle-timeout", defaultValue = "300s",
        description = "An engine connection with no byte for this long fails its request "
            + "(retried elsewhere if nothing reached the client): a frozen engine cannot hold "
            + "a request forever.")
    Duration engineIdleTimeout;

    @Option(names = "--engine-probe-after", defaultValue = "10s",
        description = "A request whose engine sent nothing for this long has the engine's "
            + "/health asked; an engine that does not answer (frozen, unreachable) fails its "
            + "requests at once instead of at --engine-idle-timeout. 0: never.")
    Duration engineProbeAfter;

    @Option(names = "--engine-probe-timeout", defaultValue = "3s",
        description = "How long that /health may take.")
    Duration engineProbeTimeout;

    @Option(names = "--engine-failure-cooldown", defaultValue = "10s",
        description = "An engine that failed a request at the transport level is passed over "
            + "this long by round-robin picks (without a scheduler, or while it is "
            + "unreachable); the scheduler has --instance-failure-cooldown-ms. 0: never.")
    Duration engineFailureCooldown;

    @Option(names = "--shutdown-timeout", defaultValue = "30s",
        description = "On SIGTERM: /healthz fails and new requests get 503 at once, requests "
            + "under way may finish for this long, then end with an error event.")
    Duration shutdownTimeout;

    @CommandLine.Mixin BackendDiscoveryOptions discovery;

    @Option(names = "--metrics-max-label-sets",
        defaultValue = "" + ComponentMetrics.DEFAULT_MAX_LABEL_SETS,
        description = "Distinct label sets per metric before further ones fold into _overflow.")
    int maxLabelSets;

    /** The gateway's own settings. */
    GatewayConfig config() {
      return config(maxModelLen);
    }

    /** The gateway's own settings, with {@code maxModelLen} as the context length. */
    GatewayConfig config(int maxModelLen) {
      return config(maxModelLen, false);
    }

    /**
     * The gateway's own settings, with {@code maxModelLen} as the context length, in front of
     * prefill and decode instances when {@code pd} (over {@value VllmKvtForwarder#NAME} unless
     * a protocol is named).
     */
    GatewayConfig config(int maxModelLen, boolean pd) {
      return GatewayConfig.builder().host(host).port(port).maxModelLen(maxModelLen)
          .maxQueueSize(maxQueueSize).queueWorkers(waitQueueThreads)
          .queueFullWaitMillis(waitQueueInterval.toMillis()).retryMaxCount(retryMaxCount)
          .http(access.http()).auth(access.auth()).forwarder(pdProtocol(pd))
          .engineHealth(new EngineHealthSettings((int) Math.max(1, engineIdleTimeout.toSeconds()),
              engineProbeAfter.toMillis(), Math.max(1, engineProbeTimeout.toMillis()),
              engineFailureCooldown.toMillis()))
          .separatePdScheduling(separatePdScheduling)
          .mirror(new MirrorSettings(mirrorConfig, Math.max(1, mirrorConfigInterval.toMillis()),
              mirrorMaxInFlight)).routes(routing.settings()).build();
    }

    /** Whether a prefill/decode protocol is named. */
    boolean disaggregated() {
      return !pdProtocol.isEmpty();
    }

    /** The prefill/decode protocol: the one named, else vllm-kvt when {@code pd}, else none. */
    String pdProtocol(boolean pd) {
      return pdProtocol.isEmpty() && pd ? VllmKvtForwarder.NAME : pdProtocol;
    }

    /** How prefill/decode requests are scheduled, in words. */
    String pdScheduling() {
      return separatePdScheduling ? "pd_staged" : "pd_batch";
    }

    /** The schedulers to ask; none when the gateway chooses round-robin by itself. */
    List<SchedulerEndpoint> schedulers() {
      return policy.equals("round-robin") ? List.of()
          : SchedulerEndpoint.parseList(schedulerEndpoints);
    }

    /** How the gateway uses {@code schedulers}. */
    SchedulerSettings.Builder schedulerSettings(List<SchedulerEndpoint> schedulers) {
      return applyTo(SchedulerSettings.builder(schedulers));
    }

    /** Puts the scheduler-client flags on {@code settings}. */
    SchedulerSettings.Builder applyTo(SchedulerSettings.Builder settings) {
      return settings
          .client(new SchedulerClient.Settings(SchedulerClient.Settings.DEFAULT.timeoutMillis(),
              serviceToken, SchedulerClient.Settings.DEFAULT.maxConnections()))
          .waitSchedulingTimeoutMillis(waitSchedulingTimeout.toMillis())
          .waitSchedulingRetryMillis(waitSchedulingRetryInterval.toMillis())
          .reportIntervalMillis(reportInterval.toMillis())
          .fullMode(fullMode).forwardTokens(forwardTokens);
    }

    /** Starts the gateway on {@code vertx} over the instances of {@code directory}. */
    GatewayServer start(Vertx vertx, GatewayConfig config, InstanceDirectory directory,
        List<SchedulerEndpoint> schedulers) throws Exception {
      return GatewayServer.deploy(vertx, config, tokenizer.source().load(), directory,
          schedulers.isEmpty() ? null : schedulerSettings(schedulers).build(), maxLabelSets);
    }

    String describe() {
      String pd = (pdProtocol.isEmpty() ? ""
          : ", prefill/decode over " + pdProtocol + " (" + pdScheduling() + ")")
          + routing.describe();
      if (policy.equals("round-robin")) {
        return "round-robin" + pd;
      }
      return (schedulerEndpoints.isBlank() ? "round-robin: no --scheduler-endpoints"
          : "scheduler " + schedulerEndpoints + " (" + (fullMode ? "full" : "lite")
              + " mode), round-robin while it does not answer") + pd;
    }
  }
}
