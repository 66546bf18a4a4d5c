package io.llumnix.cli;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.cms.RedisCmsStore;
import io.llumnix.discovery.RedisConnection;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.scheduler.FullModeSchedulingService;
import io.llumnix.scheduler.Scheduling;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.cms.FullModePolicies;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.StepProfile;
import io.llumnix.gateway.GatewayServer;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.SchedulingService;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyRegistry;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix local}: a whole cluster on this machine in one process. */
@Command(name = "local", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES}, sortOptions = false,
    description = "Run a whole cluster on this machine: simulated engines with llumlets, the "
        + "scheduler (full mode, its CMS in a redis-server started on a free port, or in this "
        + "process when none is installed; --no-enable-full-mode-scheduling for lite mode) and "
        + "the gateway. Prints the URLs and a curl to try; Ctrl-C stops it all.")
final class LocalCommand implements Callable<Integer> {

  @CommandLine.Mixin GatewayCommand.GatewayOptions gateway;

  @Option(names = "--scheduler-port", defaultValue = "8088", description = "Scheduler port.")
  int schedulerPort;

  @Option(names = "--engine-base-port", defaultValue = "8000",
      description = "Engine i listens on this + i.")
  int engineBasePort;

  @Option(names = "--instances", defaultValue = "4", description = "Simulated engines.")
  int instances;

  @Option(names = "--model", defaultValue = "llumnix/sim-llama3-8b",
      description = "The engines' model name.")
  String model;

  @Option(names = "--profile", defaultValue = "llama3-8b-h100",
      description = "Engine step-time profile: llama3-8b-h100, llama3-8b-a100, "
          + "qwen2.5-7b-h100, instant.")
  String profile;

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

  @Option(names = "--prometheus-scrape-interval", defaultValue = "10",
      description = "Seconds between Prometheus scrapes (the monitors use 10).")
  double scrapeSeconds;

  @Option(names = "--namespace", defaultValue = "llumnix",
      description = "The namespace label Prometheus attaches, as in a Kubernetes namespace.")
  String namespace;

  @CommandLine.Mixin ConfigFileOption config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** A running local cluster; closing it stops every part. */
  record Cluster(EngineSimulator engines, Vertx vertx, int schedulerPort, int gatewayPort,
      @Nullable LocalPrometheus prometheus, String cms, @Nullable LocalRedis redis)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
        engines.close();
      } finally {
        if (prometheus != null) {
          prometheus.close();
        }
        if (redis != null) {
          redis.close();
        }
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    try (ShutdownSignal signal = new ShutdownSignal(); Cluster cluster = start()) {
      print(spec.commandLine().getOut(), cluster);
      signal.await();
      return 0;
    }
  }

  /**
   * Starts engines, scheduler, gateway and, with {@code --prometheus}, Prometheus. In full mode
   * (the default) the CMS is a {@code redis-server} started on a free port when one is
   * installed, else a store inside this process.
   */
  Cluster start() throws Exception {
    int maxModelLen = gateway.maxModelLen > 0 ? gateway.maxModelLen : 8192;
    gateway.maxModelLen = maxModelLen;
    CoreConfig core = new CoreConfig(8192, 1024, 16, 29205, maxModelLen, true,
        StepProfile.named(profile), 0, seed);
    if (prometheus && LocalPrometheus.find() == null) {
      throw new IllegalArgumentException("--prometheus: prometheus is not installed (Debian: "
          + "apt-get install -y prometheus)");
    }
    // Round-robin is the gateway's own choice: no scheduler state, so no CMS either.
    boolean fullMode = gateway.fullMode && !gateway.policy.equals("round-robin");
    LocalRedis redis = fullMode ? LocalRedis.startIfInstalled() : null;
    InMemoryCmsStore inProcess = fullMode && redis == null ? new InMemoryCmsStore() : null;
    // Engines and scheduler each open their own client on their own Vert.x.
    Function<Vertx, CmsStore> cmsStore = redis != null
        ? v -> RedisCmsStore.create(v, RedisConnection.of("127.0.0.1", redis.port()), 1000)
        : v -> inProcess;
    CmsTarget cmsTarget = fullMode
        ? new CmsTarget(cmsStore, Llumlet.Settings.defaults(), "127.0.0.1") : null;
    String cms = !fullMode ? "" : redis != null ? "redis-server on 127.0.0.1:" + redis.port()
        : "in-process store (redis-server is not installed)";
    EngineSimulator engines;
    try {
      engines = EngineSimulator.start(new EngineSettings(model, "", core, speedup,
          outputLengthMean, "0.11.0", "", true, gateway.tokenizer.source(), 20,
          gateway.maxLabelSets, KvTransferSettings.DEFAULT), "127.0.0.1", engineBasePort,
          instances, kvTransferPortOffset, cmsTarget);
    } catch (RuntimeException e) {
      if (redis != null) {
        redis.close();
      }
      throw e;
    }
    Vertx vertx = Vertx.vertx();
    try {
      List<LlmInstance> endpoints = engines.instances().stream()
          .map(e -> new LlmInstance(0, "", "", io.llumnix.core.instance.InferType.NEUTRAL,
              "127.0.0.1", e.actualPort(), "127.0.0.1", e.kvTransferPort(), 0, 0))
          .toList();
      String schedulerPolicy = gateway.policy;
      ComponentMetrics schedulerMetrics = ComponentMetrics.create(gateway.maxLabelSets);
      schedulerMetrics.registerAll(LlumnixMetrics.scheduler());
      Supplier<Scheduling> service;
      if (fullMode) {
        if (!schedulerPolicy.equals("load-balance")) {
          throw new IllegalArgumentException("--scheduling-policy " + schedulerPolicy + ": full "
              + "mode schedules with load-balance (add --no-enable-full-mode-scheduling)");
        }
        var policy = FullModePolicies.loadBalance(FullModePolicies.defaults(), 60,
            FullModePolicies.FailoverDomain.INSTANCE_UNIT, System::currentTimeMillis);
        service = () -> new FullModeSchedulingService(policy,
            new CmsView(schedulerMetrics, true, 10, System::currentTimeMillis),
            cmsStore.apply(vertx),
            new FullModeSchedulingService.Intervals(50, 1000), schedulerMetrics);
      } else {
        var dispatch = PolicyRegistry.builtins().create(schedulerPolicy,
            PolicyConfig.liteDefaults());
        service = () -> {
          LocalRealtimeState lrs = new LocalRealtimeState(schedulerMetrics);
          endpoints.forEach(lrs::upsertInstance);
          return new SchedulingService(dispatch, lrs, schedulerMetrics);
        };
      }
      SchedulerServer scheduler = new SchedulerServer(gateway.host, schedulerPort, 3000,
          schedulerMetrics, service);
      try {
        vertx.deployVerticle(scheduler).await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("scheduler cannot listen on port " + schedulerPort
            + ": " + e.getMessage(), e);
      }
      gateway.schedulerEndpoints = "127.0.0.1:" + scheduler.actualPort();
      GatewayServer server = gateway.start(vertx, endpoints);
      LocalPrometheus scraper = null;
      if (prometheus) {
        scraper = LocalPrometheus.start(LocalPrometheus.config(new LocalPrometheus.Targets(
            namespace, List.of("127.0.0.1:" + server.actualPort()),
            List.of("127.0.0.1:" + scheduler.actualPort()), model, "neutral",
            engines.ports().stream().map(p -> "127.0.0.1:" + p).toList()),
            Duration.ofMillis(Math.max(100, (long) (scrapeSeconds * 1000)))), prometheusPort);
      }
      return new Cluster(engines, vertx, scheduler.actualPort(), server.actualPort(), scraper,
          cms, redis);
    } catch (Exception | Error e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      engines.close();
      if (redis != null) {
        redis.close();
      }
      throw e;
    }
  }

  private void print(PrintWriter out, Cluster cluster) {
    EngineSimulator engines = cluster.engines();
    int schedulerPort = cluster.schedulerPort();
    int gatewayPort = cluster.gatewayPort();
    out.println("llumnix local: " + instances + " simulated engine(s) (" + profile + ", speedup "
        + speedup + "), scheduler (" + gateway.policy + ", "
        + (cluster.cms().isEmpty() ? "lite mode" : "full mode, CMS: " + cluster.cms())
        + "), gateway");
    out.println("  gateway    http://127.0.0.1:" + gatewayPort + "   (metrics: /metrics)");
    out.println("  scheduler  http://127.0.0.1:" + schedulerPort + "   (metrics: /metrics)");
    out.println("  engines    " + engines.ports().stream()
        .map(p -> "http://127.0.0.1:" + p).toList());
    if (cluster.prometheus() != null) {
      out.println("  prometheus " + cluster.prometheus().url() + "   (namespace=\"" + namespace
          + "\"; dashboards: deploy/observability/)");
    }
    out.println("Try it:");
    out.println("  curl -N http://127.0.0.1:" + gatewayPort + "/v1/chat/completions"
        + " -H 'Content-Type: application/json' -d '{\"model\":\"" + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":16,"
        + "\"stream\":true}'");
    out.println("  ./llumnix bench --url http://127.0.0.1:" + gatewayPort);
    out.println("Ctrl-C stops everything.");
    out.flush();
  }
}
