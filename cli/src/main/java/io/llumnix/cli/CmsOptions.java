package io.llumnix.cli;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.RedisCmsStore;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.vertx.core.Vertx;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The scheduler's full-mode flags: where the CMS is, how it is read, and failover. */
final class CmsOptions {

  @Option(names = "--cms-redis-host", defaultValue = "127.0.0.1", description = "CMS Redis host.")
  String host;

  @Option(names = "--cms-redis-port", defaultValue = "6379", description = "CMS Redis port.")
  int port;

  @Option(names = "--cms-redis-username", defaultValue = "", description = "CMS Redis user.")
  String username;

  @Option(names = "--cms-redis-password", defaultValue = "",
      description = "CMS Redis password.")
  String password;

  @Option(names = "--cms-redis-cluster", defaultValue = "false",
      description = "The CMS Redis is a Redis Cluster; --cms-redis-host/-port name one node.")
  boolean cluster;

  @Option(names = "--cms-redis-tls", defaultValue = "false",
      description = "Connect to the CMS Redis over TLS (rediss://), checking its certificate "
          + "and host name.")
  boolean tls;

  @Option(names = "--cms-redis-tls-ca-file", defaultValue = "",
      description = "PEM file of the CA certificates the CMS Redis's certificate is checked "
          + "against; empty: the JVM's default trust store. Needs --cms-redis-tls.")
  String tlsCaFile;

  @Option(names = "--cms-redis-timeout", defaultValue = "1.0",
      description = "Seconds before a CMS read fails.")
  double timeoutSeconds;

  @Option(names = "--cms-pull-status-interval-ms",
      defaultValue = "" + SchedulerConfig.DEFAULT_CMS_STATUS_INTERVAL_MILLIS,
      description = "How often instance statuses are read.")
  long statusIntervalMillis;

  @Option(names = "--cms-pull-metadata-interval-ms",
      defaultValue = "" + SchedulerConfig.DEFAULT_CMS_METADATA_INTERVAL_MILLIS,
      description = "How often the instance list (metadata) is read.")
  long metadataIntervalMillis;

  @Option(names = "--instance-staleness-seconds",
      defaultValue = "" + PolicyConfig.DEFAULT_STALENESS_SECONDS,
      description = "An instance whose status is older than this is not scheduled and fails "
          + "over.")
  long stalenessSeconds;

  @Option(names = "--failover-domain", defaultValue = PolicyConfig.DEFAULT_FAILOVER_DOMAIN,
      description = "What a failed instance takes out with it: instance, node, instance-unit "
          + "(its data-parallel unit) or node-unit.")
  String failoverDomain;

  @Option(names = "--enable-instance-status-local-account", defaultValue = "true",
      negatable = true, fallbackValue = "true",
      description = "Count dispatches that statuses do not show yet.")
  boolean localAccount;

  @Option(names = "--request-local-account-staleness-seconds",
      defaultValue = "" + SchedulerConfig.DEFAULT_ACCOUNT_STALENESS_SECONDS,
      description = "A dispatch that no status showed for this long stops counting.")
  long accountStalenessSeconds;

  /** Puts these flags on {@code scheduler} and {@code policy}. */
  void apply(SchedulerConfig.Builder scheduler, PolicyConfig.Builder policy) {
    scheduler.cmsStatusIntervalMillis(statusIntervalMillis)
        .cmsMetadataIntervalMillis(metadataIntervalMillis).localAccount(localAccount)
        .accountStalenessSeconds(accountStalenessSeconds);
    policy.stalenessSeconds(stalenessSeconds).failoverDomain(failoverDomain);
  }

  /** Where the CMS is and how to log in and encrypt, as these flags give it. */
  RedisConnection connection() {
    return new RedisConnection(host, port, username, password, cluster,
        RedisTlsFlags.of("--cms-redis-tls", tls, tlsCaFile));
  }

  /** Opens the CMS in Redis, as these flags give it. */
  Function<Vertx, CmsStore> redisStore() {
    RedisConnection connection = connection();
    long timeoutMillis = Math.max(1, Math.round(timeoutSeconds * 1000));
    return vertx -> RedisCmsStore.create(vertx, connection, timeoutMillis);
  }

  String describe() {
    return "full mode, CMS at " + host + ":" + port + (cluster ? " (Redis Cluster)" : "")
        + (tls ? " (TLS)" : "") + (password.isEmpty() ? "" : " (authenticated)");
  }
}
