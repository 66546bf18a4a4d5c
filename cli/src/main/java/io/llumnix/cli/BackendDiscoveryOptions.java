package io.llumnix.cli;

import io.llumnix.core.instance.InstanceListener;
import io.llumnix.discovery.RedisDiscovery;
import io.llumnix.discovery.StaticEndpoints;
import io.llumnix.runtime.redis.RedisConnection;
import io.vertx.core.Vertx;
import picocli.CommandLine.Option;

/** The reference's {@code --llm-backend-discovery} flags, shared by scheduler and gateway. */
final class BackendDiscoveryOptions {

  @Option(names = "--llm-backend-discovery", defaultValue = "redis",
      description = "Where instances come from: redis (records written by discovery sidecars) "
          + "or endpoints (the static list of --llm-backend-endpoints).")
  String discovery;

  @Option(names = "--llm-backend-endpoints", defaultValue = "",
      description = "Static instances: [type@]host:port[,...], type neutral (the default), "
          + "prefill or decode.")
  String endpoints;

  @Option(names = "--discovery-redis-host", defaultValue = "127.0.0.1",
      description = "Redis of the discovery records.")
  String redisHost;

  @Option(names = "--discovery-redis-port", defaultValue = "6379", description = "Its port.")
  int redisPort;

  @Option(names = "--discovery-redis-username", defaultValue = "", description = "Its user.")
  String redisUsername;

  @Option(names = "--discovery-redis-password", defaultValue = "",
      description = "Its password.")
  String redisPassword;

  @Option(names = "--discovery-redis-tls", defaultValue = "false",
      description = "Connect to it over TLS (rediss://), checking its certificate and host "
          + "name.")
  boolean redisTls;

  @Option(names = "--discovery-redis-tls-ca-file", defaultValue = "",
      description = "PEM file of the CA certificates its certificate is checked against; "
          + "empty: the JVM's default trust store. Needs --discovery-redis-tls.")
  String redisTlsCaFile;

  @Option(names = "--discovery-redis-status-ttl-ms", defaultValue = "60000",
      description = "Records older than this are expired (deleted).")
  long redisTtlMillis;

  @Option(names = "--discovery-redis-refresh-interval-ms", defaultValue = "1000",
      description = "How often the records are read.")
  long redisRefreshMillis;

  /** Checks the flags before anything starts. */
  void validate() {
    if (!discovery.equals("redis") && !discovery.equals("endpoints")) {
      throw new IllegalArgumentException(
          "--llm-backend-discovery: " + discovery + " (expected one of: [redis, endpoints])");
    }
    if (discovery.equals("endpoints")) {
      StaticEndpoints.parse(endpoints);
    } else {
      connection();
    }
  }

  private RedisConnection connection() {
    return RedisConnection.of(redisHost, redisPort, redisUsername, redisPassword)
        .withTls(RedisTlsFlags.of("--discovery-redis-tls", redisTls, redisTlsCaFile));
  }

  /**
   * Tells {@code listener} which instances exist: the static list at once, or the Redis records
   * as they change.
   */
  void start(Vertx vertx, InstanceListener listener) {
    validate();
    if (discovery.equals("endpoints")) {
      StaticEndpoints.parse(endpoints).forEach(listener::up);
    } else {
      RedisDiscovery.start(vertx, connection(),
          new RedisDiscovery.Settings(redisRefreshMillis, redisTtlMillis, null), listener);
    }
  }

  /** Where instances come from, for the start-up line. */
  String describe() {
    return discovery.equals("redis") ? "instances from Redis at " + redisHost + ":" + redisPort
        + (redisTls ? " (TLS)" : "") : "static instances " + endpoints;
  }
}
