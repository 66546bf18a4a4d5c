package io.llumnix.cli;

import io.llumnix.kvs.server.KvsServer;
import io.llumnix.kvs.server.KvsSettings;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.runtime.redis.RedisConnection;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix kvs}: the KV-store metadata service cache-aware scheduling asks. */
@Command(name = "kvs", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES},
    sortOptions = false,
    description = "Run the KV-store metadata service, compatible with Mooncake master's "
        + "GET /batch_query_keys: which endpoints hold which chunk keys. Engines write it with "
        + "POST /batch_put_keys, /batch_remove_keys and /remove_endpoint; /healthz and "
        + "/metrics as every component. The index is kept in Redis when --kvs-redis-host is "
        + "set (shared by every replica), else in memory.")
final class KvsCommand implements Callable<Integer> {

  @CommandLine.Mixin ConfigFileOption config;

  @Option(names = "--host", defaultValue = KvsSettings.DEFAULT_HOST,
      description = "Address to listen on.")
  String host;

  @Option(names = "--port", defaultValue = "" + KvsSettings.DEFAULT_PORT,
      description = "Port to listen on.")
  int port;

  @Option(names = "--kvs-redis-host", defaultValue = "",
      description = "Redis host of the index; empty: keep it in memory (lost on restart).")
  String redisHost;

  @Option(names = "--kvs-redis-port", defaultValue = "6379",
      description = "Redis port.")
  int redisPort;

  @Option(names = "--kvs-redis-username", defaultValue = "",
      description = "Redis user.")
  String redisUsername;

  @Option(names = "--kvs-redis-password", defaultValue = "",
      description = "Redis password.")
  String redisPassword;

  @Option(names = "--kvs-redis-cluster", defaultValue = "false",
      description = "The Redis is a Redis Cluster; --kvs-redis-host/-port name one node.")
  boolean redisCluster;

  @Option(names = "--kvs-redis-tls", defaultValue = "false",
      description = "Connect to the Redis over TLS (rediss://), checking its certificate and "
          + "host name.")
  boolean redisTls;

  @Option(names = "--kvs-redis-tls-ca-file", defaultValue = "",
      description = "PEM file of the CA certificates the Redis's certificate is checked "
          + "against; empty: the JVM's default trust store. Needs --kvs-redis-tls.")
  String redisTlsCaFile;

  @Option(names = "--kvs-redis-timeout",
      defaultValue = "" + KvsSettings.DEFAULT_REDIS_TIMEOUT_MILLIS / 1000.0,
      description = "Seconds before a Redis command fails (the request then answers 503).")
  double redisTimeoutSeconds;

  @Option(names = "--key-prefix", defaultValue = KvsSettings.DEFAULT_KEY_PREFIX,
      description = "Prefix of every Redis key name, so services can share a Redis.")
  String keyPrefix;

  @Option(names = "--metrics-max-label-sets",
      defaultValue = "" + ComponentMetrics.DEFAULT_MAX_LABEL_SETS,
      description = "Distinct label sets per metric before further ones fold into _overflow.")
  int maxLabelSets;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The service's settings from the flags. */
  KvsSettings settings() {
    RedisConnection redis = redisHost.isEmpty() ? null
        : new RedisConnection(redisHost, redisPort, redisUsername, redisPassword, redisCluster,
            RedisTlsFlags.of("--kvs-redis-tls", redisTls, redisTlsCaFile));
    long timeoutMillis = Math.max(1, Math.round(redisTimeoutSeconds * 1000));
    return new KvsSettings(host, port, redis, keyPrefix, timeoutMillis,
        KvsSettings.DEFAULT_HEALTH_INTERVAL_MILLIS);
  }

  @Override
  public Integer call() throws Exception {
    KvsSettings settings = settings();
    ComponentMetrics metrics = ComponentMetrics.create(maxLabelSets);
    Vertx vertx = VertxFactory.create();
    KvsServer server = new KvsServer(settings, metrics);
    try {
      vertx.deployVerticle(server).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
    spec.commandLine().getOut().println("kvs: index " + settings.describe()
        + ", listening on " + host + ":" + server.actualPort());
    try (ShutdownSignal signal = new ShutdownSignal()) {
      signal.await();
      vertx.close().await(10, TimeUnit.SECONDS); // before the JVM exits
    }
    return 0;
  }
}
