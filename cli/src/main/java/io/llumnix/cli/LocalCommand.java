package io.llumnix.cli;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.StepProfile;
import io.llumnix.gateway.GatewayConfig;
import io.llumnix.local.LocalCluster;
import io.llumnix.local.LocalPrometheus;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.api.ServiceToken;
import io.llumnix.scheduler.cache.CacheAwareConfig;
import io.llumnix.scheduler.cache.KvsBackend;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix local}: a whole cluster on this machine in one process. */
@Command(name = "local", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES, Main.DURATIONS}, sortOptions = false,
    description = "Run a whole cluster on this machine: simulated engines with llumlets, the "
        + "scheduler (full mode, its CMS in a redis-server started on a free port, or in this "
        + "process when none is installed; --no-enable-full-mode-scheduling for lite mode) and "
        + "the gateway, which calls the scheduler in this process (its keepalive is a "
        + "WebSocket still). Prints the URLs and a curl to try; Ctrl-C stops it all. Unless "
        + "set, --wait-queue-threads is one per core, up to the gateway's default.")
final class LocalCommand implements Callable<Integer> {

  @CommandLine.Mixin GatewayCommand.GatewayOptions gateway;

  @Option(names = "--scheduler-port", defaultValue = "" + SchedulerConfig.DEFAULT_PORT,
      description = "Scheduler port.")
  int schedulerPort;

  @Option(names = "--scheduler-over-http", defaultValue = "false", arity = "0..1",
      fallbackValue = "true", description = "The gateway calls /schedule, /release and "
          + "/report over HTTP, as between processes, instead of in this process.")
  boolean schedulerOverHttp;

  @Option(names = "--engine-base-port", defaultValue = "8000",
      description = "Engine i listens on this + i.")
  int engineBasePort;

  @Option(names = "--instances", defaultValue = "4", description = "Simulated engines.")
  int instances;

  @Option(names = "--pd", paramLabel = "P:D",
      description = "Prefill/decode disaggregation: P prefill and D decode instances (prefill "
          + "on the first engine ports, then decode) instead of --instances neutral ones; the "
          + "gateway forwards over --pd-disagg-protocol (default vllm-kvt).")
  @Nullable String pd;

  @Option(names = "--model", defaultValue = EngineSettings.DEFAULT_MODEL,
      description = "The engines' model name.")
  String model;

  @Option(names = "--profile", defaultValue = CoreConfig.DEFAULT_PROFILE,
      description = "Engine step-time profile: llama3-8b-h100, llama3-8b-a100, "
          + "qwen2.5-7b-h100, instant.")
  String profile;

  @Option(names = "--num-gpu-blocks", defaultValue = "" + CoreConfig.DEFAULT_NUM_GPU_BLOCKS,
      description = "KV blocks of 16 tokens per engine (29205 = Llama-3.1-8B on one H100); "
          + "fewer make prefixes compete for the cache.")
  int numGpuBlocks;

  @Option(names = "--speedup", defaultValue = "1",
      description = "Simulated time runs this many times faster than the wall clock.")
  double speedup;

  @Option(names = "--output-length-mean", defaultValue = "128",
      description = "Mean output length before the simulated EOS; 0 = always max_tokens.")
  double outputLengthMean;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice.")
  long seed;

  @Option(names = "--kv-transfer-port-offset", defaultValue = "20000",
      description = "Each engine's KV-transfer port is its port plus this.")
  int kvTransferPortOffset;

  @Option(names = "--prometheus", defaultValue = "false",
      description = "Also start Prometheus (when installed) scraping the cluster with the labels "
          + "of deploy/base/monitoring.yaml (namespace, infer_type, model).")
  boolean prometheus;

  @Option(names = "--prometheus-port", defaultValue = "9090", description = "Prometheus port.")
  int prometheusPort;

  @Option(names = "--prometheus-scrape-interval", defaultValue = "10s",
      description = "Between Prometheus scrapes (the monitors use 10 s).")
  Duration scrapeInterval;

  @Option(names = "--namespace", defaultValue = "llumnix",
      description = "The namespace label Prometheus attaches, as in a Kubernetes namespace.")
  String namespace;

  @Option(names = "--enable-cache-aware-scheduling", defaultValue = "false", arity = "0..1",
      fallbackValue = "true", description = "Full mode: send requests where their prompt's "
          + "prefix is cached.")
  boolean cacheAware;

  @Option(names = "--kvs-backend", defaultValue = "kv-events",
      description = "How the scheduler learns what is cached: kv-events (the engines' vLLM "
          + "KV-cache events; needs nothing else), mooncake (`llumnix kvs` in this process) or "
          + "v6d (Vineyard's metadata in a redis-server of its own).")
  String kvsBackend;

  @Option(names = "--cache-aware-scheduling-min-tokens",
      defaultValue = "" + CacheAwareConfig.DEFAULT_MIN_TOKENS,
      description = "Shorter prompts are not looked up.")
  int cacheAwareMinTokens;

  @CommandLine.Mixin KvsKeyOptions kvsKeys;

  @CommandLine.Mixin ReschedulingOptions rescheduling;

  @CommandLine.Mixin ConfigFileOption config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (prometheus && LocalPrometheus.find() == null) {
      throw new IllegalArgumentException("--prometheus: prometheus is not installed (Debian: "
          + "apt-get install -y prometheus)");
    }
    try (ShutdownSignal signal = new ShutdownSignal(); LocalCluster cluster = start();
        LocalPrometheus scraper = prometheus ? scrape(cluster) : null) {
      print(spec.commandLine().getOut(), cluster, scraper);
      signal.await();
      return 0;
    }
  }

  /**
   * Starts engines, scheduler and gateway. Round-robin is the gateway's own choice (no
   * scheduler state, so no CMS either); full mode otherwise, unless turned off.
   */
  LocalCluster start() throws Exception {
    int maxModelLen = gateway.maxModelLen > 0 ? gateway.maxModelLen
        : CoreConfig.DEFAULT_MAX_MODEL_LEN;
    boolean roundRobin = gateway.policy.equals("round-robin");
    boolean fullMode = gateway.fullMode && !roundRobin;
    gateway.waitQueueThreads = queueWorkers();
    EngineSettings engine = EngineSettings.builder().model(model)
        .core(CoreConfig.builder().maxModelLen(maxModelLen).profile(StepProfile.named(profile))
            .numGpuBlocks(numGpuBlocks).seed(seed).build())
        .speedup(speedup).outputLengthMean(outputLengthMean).tokenizer(gateway.tokenizer.source())
        .maxLabelSets(gateway.maxLabelSets).build();
    if (cacheAware && !fullMode) {
      throw new IllegalArgumentException("--enable-cache-aware-scheduling needs full mode and "
          + "the scheduler's choice (not --scheduling-policy round-robin)");
    }
    int[] split = pdSplit();
    if (split == null && gateway.disaggregated()) {
      throw new IllegalArgumentException("--pd-disagg-protocol needs prefill and decode "
          + "instances (--pd P:D)");
    }
    ReschedulingConfig reschedulingConfig = rescheduling.config();
    if (reschedulingConfig.mode() == ReschedulingConfig.Mode.STANDALONE) {
      throw new IllegalArgumentException("--standalone-rescheduling-mode: local runs one "
          + "scheduler; use --colocated-rescheduling-mode");
    }
    SchedulerConfig scheduler = SchedulerConfig.builder().host(gateway.host).port(schedulerPort)
        .fullMode(fullMode).rescheduling(reschedulingConfig)
        .policy(gateway.policy).cmsMetadataIntervalMillis(1000)
        .policyConfig(fullMode ? PolicyConfig.defaults() : PolicyConfig.liteDefaults())
        .cacheAware(CacheAwareConfig.builder().enabled(cacheAware)
            .backend(KvsBackend.of(kvsBackend)).minTokens(cacheAwareMinTokens)
            .keyFormat(kvsKeys.format("GO_HASH_SEED")).build())
        .serviceToken(ServiceToken.of(gateway.serviceToken)) // the one the gateway sends
        .build();
    LocalCluster.Builder cluster = LocalCluster.builder().instances(instances);
    if (split != null) {
      cluster.pd(split[0], split[1]);
    }
    return cluster.engine(engine)
        .engineBasePort(engineBasePort).kvTransferPortOffset(kvTransferPortOffset)
        .scheduler(scheduler).gateway(gateway.config(maxModelLen, split != null))
        .gatewayRoundRobin(roundRobin).schedulerOverHttp(schedulerOverHttp)
        .schedulerLink(gateway::applyTo).tokenizer(gateway.tokenizer.source())
        .maxLabelSets(gateway.maxLabelSets).start();
  }

  /**
   * {@code --wait-queue-threads} when set (flag, environment or file), else one per core up to
   * the gateway's default. Why: here the scheduler decides on the gateway's own cores, so a
   * scheduling call in flight beyond one per core only waits behind the others on the
   * scheduler's loop: the queue drains no faster, and each request's schedule time grows with
   * the workers. The standalone gateway keeps its default: there the scheduler has its own cores.
   */
  int queueWorkers() {
    CommandLine.Model.OptionSpec option = spec.findOption("--wait-queue-threads");
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    boolean set = parsed != null && parsed.hasMatchedOption(option);
    CommandLine.IDefaultValueProvider provider = spec.defaultValueProvider();
    if (!set && provider != null) {
      try {
        set = provider.defaultValue(option) != null;
      } catch (Exception e) {
        throw new IllegalArgumentException("--wait-queue-threads: " + e.getMessage(), e);
      }
    }
    return set ? gateway.waitQueueThreads : Math.min(GatewayConfig.DEFAULT_QUEUE_WORKERS,
        Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  /** {@code --pd P:D} as {P, D}; null without it. */
  private int @Nullable [] pdSplit() {
    if (pd == null) {
      return null;
    }
    String[] parts = pd.split(":", -1);
    try {
      if (parts.length == 2) {
        int[] split = {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        if (split[0] >= 1 && split[1] >= 1) {
          return split;
        }
      }
    } catch (NumberFormatException e) {
      // the message below says what is expected
    }
    throw new IllegalArgumentException("--pd: " + pd + " (expected P:D, the prefill and "
        + "decode instances, each >= 1, e.g. 2:2)");
  }

  private LocalPrometheus scrape(LocalCluster cluster) throws Exception {
    return LocalPrometheus.start(LocalPrometheus.config(new LocalPrometheus.Targets(namespace,
            List.of("127.0.0.1:" + cluster.gatewayPort()),
            List.of("127.0.0.1:" + cluster.schedulerPort()), model,
            cluster.instances().stream().collect(Collectors.groupingBy(
                i -> i.inferType().label(), Collectors.mapping(LlmInstance::endpoint,
                    Collectors.toList())))),
        Duration.ofMillis(Math.max(100, scrapeInterval.toMillis()))), prometheusPort);
  }

  private void print(PrintWriter out, LocalCluster cluster, @Nullable LocalPrometheus scraper) {
    int gatewayPort = cluster.gatewayPort();
    String engines = pd == null ? instances + " simulated engine(s)"
        : "simulated prefill:decode engines " + pd + " (" + gateway.pdProtocol(true) + ", "
            + gateway.pdScheduling() + ")";
    out.println("llumnix local: " + engines + " (" + profile + ", speedup "
        + speedup + "), scheduler (" + gateway.policy + ", "
        + (cluster.fullMode() ? "full mode, CMS: " + cluster.cmsDescription() : "lite mode")
        + (cluster.cacheAwareDescription().isEmpty() ? ""
            : ", " + cluster.cacheAwareDescription())
        + ReschedulingOptions.describe(rescheduling.config())
        + "), gateway" + gateway.routing.describe());
    out.println("  gateway    http://127.0.0.1:" + gatewayPort + "   (metrics: /metrics)");
    out.println("  scheduler  http://127.0.0.1:" + cluster.schedulerPort()
        + "   (metrics: /metrics)");
    out.println("  engines    " + cluster.engines().ports().stream()
        .map(p -> "http://127.0.0.1:" + p).toList());
    if (scraper != null) {
      out.println("  prometheus " + scraper.url() + "   (namespace=\"" + namespace
          + "\"; dashboards: deploy/observability/)");
    }
    out.println("Try it:");
    String key = gateway.access.auth().required()
        ? " -H 'Authorization: Bearer <one of your API keys>'" : "";
    out.println("  curl -N http://127.0.0.1:" + gatewayPort + "/v1/chat/completions" + key
        + " -H 'Content-Type: application/json' -d '{\"model\":\"" + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":16,"
        + "\"stream\":true}'");
    out.println("  ./llumnix bench --url http://127.0.0.1:" + gatewayPort);
    out.println("Ctrl-C stops everything.");
    out.flush();
  }
}
