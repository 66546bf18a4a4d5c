package io.llumnix.cli;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.RedisCmsStore;
import io.llumnix.discovery.RedisConnection;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.FullModeSchedulingService;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.cms.FullModePolicies;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.vertx.core.Vertx;
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

  @Option(names = "--cms-redis-timeout", defaultValue = "1.0",
      description = "Seconds before a CMS read fails.")
  double timeoutSeconds;

  @Option(names = "--cms-pull-status-interval-ms", defaultValue = "50",
      description = "How often instance statuses are read.")
  long statusIntervalMillis;

  @Option(names = "--cms-pull-metadata-interval-ms", defaultValue = "10000",
      description = "How often the instance list (metadata) is read.")
  long metadataIntervalMillis;

  @Option(names = "--instance-staleness-seconds", defaultValue = "60",
      description = "An instance whose status is older than this is not scheduled and fails "
          + "over.")
  long stalenessSeconds;

  @Option(names = "--failover-domain", defaultValue = "instance-unit",
      description = "What a failed instance takes out with it: instance, node, instance-unit "
          + "(its data-parallel unit) or node-unit.")
  String failoverDomain;

  @Option(names = "--enable-instance-status-local-account", defaultValue = "true",
      negatable = true, fallbackValue = "true",
      description = "Count dispatches that statuses do not show yet.")
  boolean localAccount;

  @Option(names = "--request-local-account-staleness-seconds", defaultValue = "10",
      description = "A dispatch that no status showed for this long stops counting.")
  long accountStalenessSeconds;

  /** The CMS in Redis, as these flags give it. */
  CmsStore redisStore(Vertx vertx) {
    return RedisCmsStore.create(vertx, new RedisConnection(host, port, username, password),
        Math.max(1, Math.round(timeoutSeconds * 1000)), cluster);
  }

  String describe() {
    return "full mode, CMS at " + host + ":" + port + (cluster ? " (Redis Cluster)" : "");
  }

  /** Checks these flags and the policy; call before starting anything. */
  FullModePolicies.FailoverDomain validate(String policy) {
    if (statusIntervalMillis < 1 || metadataIntervalMillis < 1) {
      throw new IllegalArgumentException(
          "--cms-pull-status-interval-ms and --cms-pull-metadata-interval-ms must be >= 1");
    }
    if (!policy.equals("load-balance")) {
      throw new IllegalArgumentException("--scheduling-policy " + policy + ": full mode "
          + "schedules with load-balance (run lite mode for round-robin)");
    }
    return FullModePolicies.FailoverDomain.of(failoverDomain);
  }

  /**
   * A full-mode service over {@code store}, {@link #validate validated} first; the scheduler's
   * loop runs its CMS reader.
   */
  FullModeSchedulingService service(FullModePolicies.FailoverDomain domain, PolicyConfig config,
      CmsStore store, ComponentMetrics metrics) {
    return new FullModeSchedulingService(
        FullModePolicies.loadBalance(config, stalenessSeconds, domain, System::currentTimeMillis),
        new CmsView(metrics, localAccount, accountStalenessSeconds, System::currentTimeMillis),
        store, new FullModeSchedulingService.Intervals(statusIntervalMillis,
            metadataIntervalMillis), metrics);
  }
}
