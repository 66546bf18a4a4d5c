package io.llumnix.local;

import io.llumnix.cms.CmsStore;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.gateway.GatewayConfig;
import io.llumnix.gateway.GatewayServer;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.SchedulerSettings;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.runtime.redis.RedisProcess;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A whole cluster in this process: simulated engines (with llumlets in full mode), the
 * scheduler and the gateway, and in full mode the CMS — a {@code redis-server} it starts, or a
 * store inside the process. What {@code llumnix local} runs, and what the integration tests and
 * benchmarks start. Closing it stops every part.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().instances(4).start()) {
 *   int gateway = cluster.gatewayPort();
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {

  /** Where a full-mode cluster keeps its CMS. */
  public enum Cms {
    /** A {@code redis-server} on a free port when one is installed, else in this process. */
    REDIS_IF_INSTALLED,
    /** A {@code redis-server} on a free port; it must be installed. */
    REDIS,
    /** A store inside this process. */
    IN_PROCESS
  }

  private final EngineSimulator engines;
  private final Vertx vertx;
  private final SchedulerConfig schedulerConfig;
  private final ComponentMetrics schedulerMetrics;
  private final LocalCms cms;
  private final List<LlmInstance> instances;
  private final @Nullable LocalKvs kvs;
  private final GatewayLink gatewayLink;
  private volatile SchedulerServer scheduler; // replaced when started again
  private String schedulerDeployment;
  private @Nullable GatewayServer gateway;
  private final List<GatewayServer> moreGateways = new ArrayList<>();

  /** How every gateway of this cluster is linked to its scheduler. */
  private record GatewayLink(boolean roundRobinOnly, boolean overHttp,
      UnaryOperator<SchedulerSettings.Builder> link, Tokenizer tokenizer, int maxLabelSets) {}

  private LocalCluster(EngineSimulator engines, Vertx vertx, SchedulerConfig schedulerConfig,
      ComponentMetrics schedulerMetrics, LocalCms cms, List<LlmInstance> instances,
      @Nullable LocalKvs kvs, GatewayLink gatewayLink) {
    this.kvs = kvs;
    this.engines = engines;
    this.vertx = vertx;
    this.schedulerConfig = schedulerConfig;
    this.schedulerMetrics = schedulerMetrics;
    this.cms = cms;
    this.instances = instances;
    this.gatewayLink = gatewayLink;
  }

  public static Builder builder() {
    return new Builder();
  }

  public EngineSimulator engines() {
    return engines;
  }

  /** The engines as discovery would list them, in port order. */
  public List<LlmInstance> instances() {
    return instances;
  }

  public int gatewayPort() {
    return gateway.actualPort();
  }

  public int schedulerPort() {
    return scheduler.actualPort();
  }

  /** Whether the gateway schedules through the scheduler (its keepalive is up). */
  public boolean gatewayReady() {
    return gateway.schedulerReady();
  }

  /** The CMS's redis-server, when the cluster runs one. */
  public @Nullable RedisProcess redis() {
    return cms.redis();
  }

  /** Where the CMS is, in words; "" in lite mode. */
  public String cmsDescription() {
    return cms.description();
  }

  public boolean fullMode() {
    return schedulerConfig.fullMode();
  }

  /** How cache-aware scheduling learns where prefixes are, in words; "" without it. */
  public String cacheAwareDescription() {
    return kvs == null ? "" : kvs.describe();
  }

  /**
   * Stops the KV store's metadata service (mooncake: {@code llumnix kvs}; v6d: its Redis), as
   * a crash would; the scheduler then balances load only.
   */
  public void stopKvs() throws Exception {
    requireKvs().stopKvs();
  }

  /** Starts again what {@link #stopKvs} stopped. */
  public void restartKvs() throws Exception {
    requireKvs().restartKvs();
  }

  private LocalKvs requireKvs() {
    if (kvs == null) {
      throw new IllegalStateException("the cluster is not cache-aware");
    }
    return kvs;
  }

  /** Stops the scheduler (its port closes, gateways lose their keepalive). */
  public void stopScheduler() throws Exception {
    vertx.undeploy(schedulerDeployment).await(10, TimeUnit.SECONDS);
  }

  /** Starts the scheduler again on the same port, with a fresh state. */
  public void startScheduler() throws Exception {
    deployScheduler(schedulerConfig.withPort(scheduler.actualPort()));
  }

  private void deployScheduler(SchedulerConfig config) throws Exception {
    SchedulerServer server = new SchedulerServer(config, schedulerMetrics, cms.store(), null);
    try {
      schedulerDeployment = vertx.deployVerticle(server).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("scheduler cannot listen on port " + config.port() + ": "
          + e.getMessage(), e);
    }
    scheduler = server;
    if (!config.fullMode()) {
      instances.forEach(server::up); // lite mode's instances come from discovery: here, static
    }
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
      engines.close();
    } finally {
      if (kvs != null) {
        kvs.close();
      }
      cms.close();
    }
  }

  /** Builds and starts a {@link LocalCluster}; unset values are {@code llumnix local}'s. */
  public static final class Builder {
    private int instances = 4;
    private int prefillInstances;
    private int decodeInstances;
    private EngineSettings engine = EngineSettings.builder().build();
    private String host = "127.0.0.1";
    private int engineBasePort = 8000;
    private int kvTransferPortOffset = 20000;
    private GatewayConfig gateway = GatewayConfig.builder().host("127.0.0.1").build();
    private boolean gatewayRoundRobin;
    private UnaryOperator<SchedulerSettings.Builder> schedulerLink = b -> b;
    private boolean schedulerOverHttp;
    private TokenizerSource tokenizer = TokenizerSource.DEFAULT;
    private SchedulerConfig scheduler = SchedulerConfig.builder().host("127.0.0.1").build();
    private Cms cms = Cms.REDIS_IF_INSTALLED;
    private Llumlet.Settings llumlet = Llumlet.Settings.defaults();
    private int maxLabelSets = ComponentMetrics.DEFAULT_MAX_LABEL_SETS;

    private Builder() {}

    /** How many simulated engines. */
    public Builder instances(int count) {
      this.instances = count;
      return this;
    }

    /**
     * Prefill/decode disaggregated engines instead of neutral ones: {@code prefill} prefill
     * engines on the first ports, then {@code decode} decode engines.
     */
    public Builder pd(int prefill, int decode) {
      if (prefill < 1 || decode < 1) {
        throw new IllegalArgumentException("--pd " + prefill + ":" + decode
            + " (expected: at least one prefill and one decode instance)");
      }
      this.prefillInstances = prefill;
      this.decodeInstances = decode;
      return this;
    }

    /** The engines' settings (model, core, speed, tokenizer, ...). */
    public Builder engine(EngineSettings settings) {
      this.engine = settings;
      return this;
    }

    /** Engine {@code i} listens on {@code base + i} (0: free ports). */
    public Builder engineBasePort(int base) {
      this.engineBasePort = base;
      return this;
    }

    public Builder kvTransferPortOffset(int offset) {
      this.kvTransferPortOffset = offset;
      return this;
    }

    /** Where every part listens (and engines advertise). */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder gateway(GatewayConfig config) {
      this.gateway = config;
      return this;
    }

    /** The gateway chooses round-robin by itself and never asks the scheduler. */
    public Builder gatewayRoundRobin(boolean roundRobin) {
      this.gatewayRoundRobin = roundRobin;
      return this;
    }

    /** Adjusts how the gateway uses the scheduler (its timeouts, reports). */
    public Builder schedulerLink(UnaryOperator<SchedulerSettings.Builder> adjust) {
      this.schedulerLink = adjust;
      return this;
    }

    /**
     * Whether gateways call the scheduler's {@code /schedule}, {@code /release} and
     * {@code /report} over HTTP, as separate processes do; by default they call it in process
     * (the keepalive is a WebSocket either way).
     */
    public Builder schedulerOverHttp(boolean overHttp) {
      this.schedulerOverHttp = overHttp;
      return this;
    }

    /** The gateway's tokenizer. */
    public Builder tokenizer(TokenizerSource source) {
      this.tokenizer = source;
      return this;
    }

    public Builder scheduler(SchedulerConfig config) {
      this.scheduler = config;
      return this;
    }

    public Builder cms(Cms cms) {
      this.cms = cms;
      return this;
    }

    public Builder llumlet(Llumlet.Settings settings) {
      this.llumlet = settings;
      return this;
    }

    public Builder maxLabelSets(int max) {
      this.maxLabelSets = max;
      return this;
    }

    /** Each engine's kv role, in port order. */
    private List<KvTransferSettings.Role> roles() {
      if (prefillInstances == 0) {
        return Collections.nCopies(instances, KvTransferSettings.Role.NEUTRAL);
      }
      List<KvTransferSettings.Role> roles = new ArrayList<>(
          Collections.nCopies(prefillInstances, KvTransferSettings.Role.PREFILL));
      roles.addAll(
          Collections.nCopies(decodeInstances, KvTransferSettings.Role.DECODE));
      return roles;
    }

    /**
     * Starts the parts in order — CMS, engines, scheduler, gateway — and waits until each
     * listens; on a failure, stops what already started.
     */
    public LocalCluster start() throws Exception {
      LocalCms localCms = LocalCms.start(cms, scheduler.fullMode());
      Function<Vertx, CmsStore> store = localCms.store();
      Vertx vertx = VertxFactory.create();
      LocalKvs kvs = null;
      EngineSimulator engines;
      SchedulerConfig schedulerConfig = scheduler;
      try {
        EngineSettings engineSettings = engine;
        if (scheduler.cacheAware().enabled()) {
          kvs = LocalKvs.start(scheduler.cacheAware(), vertx, localCms.redis());
          engineSettings = kvs.engines(engine);
          schedulerConfig = kvs.scheduler(scheduler);
        }
        engines = EngineSimulator.start(engineSettings, host, engineBasePort, roles(),
            kvTransferPortOffset, store == null ? null : new CmsTarget(store, llumlet, host));
      } catch (Exception | Error e) {
        vertx.close();
        if (kvs != null) {
          kvs.close();
        }
        localCms.close();
        throw e;
      }
      List<LlmInstance> endpoints = engines.instances().stream()
          .map(e -> new LlmInstance(0, "", "", InferType.of(e.role().label()),
              host, e.actualPort(), host, e.kvTransferPort(), 0, 0))
          .toList();
      ComponentMetrics metrics = ComponentMetrics.create(maxLabelSets);
      metrics.registerAll(LlumnixMetrics.scheduler());
      LocalCluster cluster = new LocalCluster(engines, vertx, schedulerConfig, metrics, localCms,
          endpoints, kvs, new GatewayLink(gatewayRoundRobin, schedulerOverHttp, schedulerLink,
              tokenizer.load(), maxLabelSets));
      try {
        cluster.deployScheduler(schedulerConfig);
        cluster.gateway = cluster.deployGateway(gateway);
        return cluster;
      } catch (Exception | Error e) {
        cluster.close();
        throw e;
      }
    }
  }

  /**
   * Starts one more gateway over the same engines and scheduler (linked as the first one is),
   * e.g. one per forwarding protocol; it stops with the cluster.
   *
   * @return the port it listens on
   */
  public int startGateway(GatewayConfig config) throws Exception {
    GatewayServer server = deployGateway(config);
    moreGateways.add(server);
    return server.actualPort();
  }

  /** Whether every gateway of the cluster schedules through the scheduler. */
  public boolean gatewaysReady() {
    return gateway.schedulerReady()
        && moreGateways.stream().allMatch(GatewayServer::schedulerReady);
  }

  private GatewayServer deployGateway(GatewayConfig config) throws Exception {
    GatewayLink how = gatewayLink;
    SchedulerEndpoint endpoint = new SchedulerEndpoint("127.0.0.1", scheduler.actualPort());
    SchedulerSettings schedulers = how.roundRobinOnly() ? null : how.link().apply(
        SchedulerSettings.builder(List.of(endpoint)).fullMode(schedulerConfig.fullMode()))
        .build();
    // The scheduler is in this process: the gateway calls it there, from its own loop.
    return GatewayServer.deploy(vertx, config, how.tokenizer(), InstanceDirectory.of(instances),
        schedulers, how.maxLabelSets(), how.overHttp() ? null
            : new CurrentScheduler(endpoint, () -> scheduler));
  }
}
