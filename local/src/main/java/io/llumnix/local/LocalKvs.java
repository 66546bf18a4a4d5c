package io.llumnix.local;

import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.cache.PublishingSettings;
import io.llumnix.kvs.events.KvEventsConfig;
import io.llumnix.kvs.hash.KvsKeyFormat;
import io.llumnix.kvs.server.KvsServer;
import io.llumnix.kvs.server.KvsSettings;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.redis.RedisProcess;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.cache.CacheAwareConfig;
import io.llumnix.scheduler.cache.KvsBackend;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Where a local cache-aware cluster keeps track of cached prefixes, per {@code --kvs-backend}:
 * {@code mooncake} runs {@code llumnix kvs} in this process (its index in the CMS's
 * redis-server when there is one, so it survives a restart); {@code v6d} starts a
 * redis-server of its own for Vineyard's metadata; {@code kv-events} needs nothing, the
 * engines publish their events on ephemeral loopback ports and the scheduler subscribes. The
 * engines publish to it, the scheduler looks up in it.
 */
final class LocalKvs implements AutoCloseable {

  private final CacheAwareConfig config;
  private final Vertx vertx;
  private final @Nullable RedisProcess cmsRedis;
  private @Nullable RedisProcess v6dRedis;
  private @Nullable String kvsDeployment;
  private int kvsPort;

  private LocalKvs(CacheAwareConfig config, Vertx vertx, @Nullable RedisProcess cmsRedis) {
    this.config = config;
    this.vertx = vertx;
    this.cmsRedis = cmsRedis;
  }

  /** Starts what {@code config}'s backend needs. */
  static LocalKvs start(CacheAwareConfig config, Vertx vertx, @Nullable RedisProcess cmsRedis)
      throws Exception {
    LocalKvs kvs = new LocalKvs(config, vertx, cmsRedis);
    try {
      switch (config.backend()) {
        case MOONCAKE -> kvs.startKvs();
        case V6D -> kvs.v6dRedis = RedisProcess.start();
        case KV_EVENTS -> { }
      }
    } catch (Exception | Error e) {
      kvs.close();
      throw e;
    }
    return kvs;
  }

  /** Starts (again) the in-process metadata service, on the port it had before. */
  void startKvs() throws Exception {
    if (kvsDeployment != null) {
      return;
    }
    KvsSettings settings = cmsRedis == null ? KvsSettings.memory("127.0.0.1", kvsPort)
        : KvsSettings.redis("127.0.0.1", kvsPort, cmsRedis.connection());
    KvsServer server = new KvsServer(settings, ComponentMetrics.create(1000));
    kvsDeployment = vertx.deployVerticle(server).await(30, TimeUnit.SECONDS);
    kvsPort = server.actualPort();
  }

  /** Stops the metadata service (mooncake) or its Redis (v6d), as a crash would. */
  void stopKvs() throws Exception {
    if (kvsDeployment != null) {
      vertx.undeploy(kvsDeployment).await(10, TimeUnit.SECONDS);
      kvsDeployment = null;
    } else if (v6dRedis != null) {
      v6dRedis.stop();
    }
  }

  /** Starts again what {@link #stopKvs} stopped. */
  void restartKvs() throws Exception {
    if (config.backend() == KvsBackend.V6D && v6dRedis != null) {
      v6dRedis.restart();
    } else {
      startKvs();
    }
  }

  /** The engines' settings, publishing their prefix cache where the scheduler looks. */
  EngineSettings engines(EngineSettings engines) {
    KvsKeyFormat format = config.effectiveKeyFormat();
    PublishingSettings publishing = switch (config.backend()) {
      case MOONCAKE -> new PublishingSettings(null, new PublishingSettings.KvsTarget(
          "mooncake", "127.0.0.1", kvsPort, List.of(), "", format));
      case V6D -> new PublishingSettings(null, new PublishingSettings.KvsTarget("v6d", "", 0,
          List.of(v6dHost()), "", format));
      case KV_EVENTS -> new PublishingSettings(
          KvEventsConfig.zmq("tcp://127.0.0.1:0", "tcp://127.0.0.1:0"), null);
    };
    return engines.withPublishing(publishing);
  }

  /** The scheduler's settings, looking up where the engines publish. */
  SchedulerConfig scheduler(SchedulerConfig scheduler) {
    CacheAwareConfig lookup = switch (config.backend()) {
      case MOONCAKE -> config.withMooncake("127.0.0.1", kvsPort);
      case V6D -> config.withV6d(new CacheAwareConfig.V6dSettings(List.of(v6dHost()), "",
          config.v6d().maxBatchSize(), config.v6d().maxConcurrentBatches(),
          config.v6d().queryTimeoutMillis()));
      case KV_EVENTS -> config;
    };
    return scheduler.withCacheAware(lookup);
  }

  private String v6dHost() {
    return "127.0.0.1:" + v6dRedis.port();
  }

  /** In words, for the start banner. */
  String describe() {
    return switch (config.backend()) {
      case MOONCAKE -> "cache-aware via `llumnix kvs` on 127.0.0.1:" + kvsPort
          + (cmsRedis == null ? " (in memory)" : " (in the CMS Redis)");
      case V6D -> "cache-aware via Vineyard metadata in redis-server on " + v6dHost();
      case KV_EVENTS -> "cache-aware via the engines' vLLM KV-cache events";
    };
  }

  @Override
  public void close() throws Exception {
    if (v6dRedis != null) {
      v6dRedis.close();
    }
  }
}
