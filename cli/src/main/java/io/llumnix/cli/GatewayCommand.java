package io.llumnix.cli;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.GatewayServer;
import io.llumnix.gateway.GatewaySettings;
import io.llumnix.gateway.balance.Balancer;
import io.llumnix.gateway.balance.InstanceDirectory;
import io.llumnix.gateway.balance.RemoteSchedulerBalancer;
import io.llumnix.gateway.balance.RoundRobinBalancer;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix gateway}: the OpenAI-compatible front door. */
@Command(name = "gateway", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES}, sortOptions = false,
    description = "Run the gateway: POST /v1/chat/completions and /v1/completions, GET "
        + "/v1/models, /healthz and /metrics. It tokenizes, asks the scheduler for an instance "
        + "(round-robin while no scheduler answers), forwards to the engine and streams back.")
final class GatewayCommand implements Callable<Integer> {

  @CommandLine.Mixin GatewayOptions options;

  @CommandLine.Mixin ConfigFileOption config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    GatewayServer server = options.start(vertx, null);
    spec.commandLine().getOut().println("gateway: listening on " + options.host + ":"
        + server.actualPort() + " (" + options.describe() + ")");
    try (ShutdownSignal signal = new ShutdownSignal()) {
      signal.await();
      vertx.close().await(10, TimeUnit.SECONDS); // before the JVM exits
    }
    return 0;
  }

  /** The gateway's flags, shared with {@code llumnix local}. */
  static final class GatewayOptions {

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on.")
    String host;

    @Option(names = "--port", defaultValue = "8089", description = "Port to listen on.")
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
        description = "Sent as Authorization to the scheduler.")
    String serviceToken;

    @Option(names = "--wait-scheduling-timeout", defaultValue = "5",
        description = "Seconds to keep asking a scheduler that has no instance free.")
    double waitSchedulingTimeout;

    @Option(names = "--wait-scheduling-retry-interval", defaultValue = "1",
        description = "Seconds between those asks.")
    double waitSchedulingRetryInterval;

    @Option(names = "--enable-full-mode-scheduling", defaultValue = "true", negatable = true,
        fallbackValue = "true", description = "The scheduler runs full mode (engine status in "
            + "the CMS): requests are not reported, and released only when forwarding fails. "
            + "Match the scheduler's flag.")
    boolean fullMode;

    @Option(names = "--requests-report-duration", defaultValue = "1",
        description = "Seconds between token reports to a lite-mode scheduler; 0 = none.")
    double reportSeconds;

    @Option(names = "--max-queue-size", defaultValue = "512",
        description = "Requests waiting for an instance before new ones wait, then get 429.")
    int maxQueueSize;

    @Option(names = "--wait-queue-threads", defaultValue = "5",
        description = "Requests scheduled at once; the rest wait in the queue by priority.")
    int waitQueueThreads;

    @Option(names = "--wait-queue-interval", defaultValue = "1",
        description = "Seconds a request waits for room in a full queue before 429.")
    double waitQueueInterval;

    @Option(names = "--retry-max-count", defaultValue = "0",
        description = "Retries on another instance before the first byte reached the client.")
    int retryMaxCount;

    @Option(names = "--max-request-body-bytes", defaultValue = "67108864",
        description = "Larger request bodies get 413.")
    long maxBodyBytes;

    @CommandLine.Mixin BackendDiscoveryOptions discovery;

    @Option(names = "--metrics-max-label-sets", defaultValue = "1000",
        description = "Distinct label sets per metric before further ones fold into _overflow.")
    int maxLabelSets;

    /**
     * Starts the gateway on {@code vertx}; {@code staticInstances}, when given, replaces
     * discovery (as {@code llumnix local} does).
     */
    GatewayServer start(Vertx vertx, @org.jspecify.annotations.Nullable List<LlmInstance> staticInstances)
        throws Exception {
      Tokenizer tokenizer = this.tokenizer.source().load();
      InstanceDirectory directory;
      if (staticInstances != null) {
        directory = InstanceDirectory.of(staticInstances);
      } else {
        directory = new InstanceDirectory();
        discovery.start(vertx, directory);
      }
      RoundRobinBalancer roundRobin = new RoundRobinBalancer(directory);
      List<String> schedulers = Arrays.stream(schedulerEndpoints.split(","))
          .map(String::trim).filter(s -> !s.isEmpty()).toList();
      Balancer balancer = policy.equals("round-robin") || schedulers.isEmpty() ? roundRobin
          : new RemoteSchedulerBalancer(vertx, new RemoteSchedulerBalancer.Settings(schedulers,
              serviceToken, 2000, Math.round(waitSchedulingTimeout * 1000),
              Math.round(waitSchedulingRetryInterval * 1000),
              fullMode ? 0 : Math.round(reportSeconds * 1000), 1000, 3000, fullMode), roundRobin);
      GatewayServer server = new GatewayServer(new GatewaySettings(host, port, maxModelLen,
          maxQueueSize, waitQueueThreads, Math.round(waitQueueInterval * 1000), retryMaxCount, maxBodyBytes),
          tokenizer, balancer, roundRobin, ComponentMetrics.create(maxLabelSets));
      try {
        vertx.deployVerticle(server).await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
            + e.getMessage(), e);
      }
      return server;
    }

    String describe() {
      if (policy.equals("round-robin")) {
        return "round-robin";
      }
      return schedulerEndpoints.isBlank() ? "round-robin: no --scheduler-endpoints"
          : "scheduler " + schedulerEndpoints + " (" + (fullMode ? "full" : "lite")
              + " mode), round-robin while it does not answer";
    }
  }
}
