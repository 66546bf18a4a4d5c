package io.llumnix.cli;

import io.llumnix.cms.RedisCmsStore;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import java.net.InetAddress;
import java.time.Duration;
import java.net.UnknownHostException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The llumlet's flags. Their environment names are the reference llumlet's:
 * {@code LLUMNIX_CMS_REDIS_ADDRESS}, {@code LLUMNIX_CMS_REDIS_PORT},
 * {@code LLUMNIX_CMS_EXPIRED_TIME}, {@code LLUMNIX_STATUS_PUSH_INTERVAL}, ...; and
 * {@code VLLM_ENABLE_LLUMNIX=1} turns it on as it does for vLLM.
 */
final class LlumletOptions {

  @Option(names = "--enable-llumlet", defaultValue = "false",
      description = "Publish each engine's metadata and status to the CMS (full mode). Also on "
          + "with VLLM_ENABLE_LLUMNIX=1.")
  boolean enabled;

  @Option(names = "--cms-redis-address", defaultValue = "127.0.0.1",
      description = "CMS Redis host.")
  String redisAddress;

  @Option(names = "--cms-redis-port", defaultValue = "6379", description = "CMS Redis port.")
  int redisPort;

  @Option(names = "--cms-redis-username", defaultValue = "", description = "CMS Redis user.")
  String redisUsername;

  @Option(names = "--cms-redis-password", defaultValue = "",
      description = "CMS Redis password.")
  String redisPassword;

  @Option(names = "--cms-redis-cluster", defaultValue = "false",
      description = "The CMS Redis is a Redis Cluster; --cms-redis-address/-port name one node.")
  boolean redisCluster;

  @Option(names = "--cms-redis-tls", defaultValue = "false",
      description = "Connect to the CMS Redis over TLS (rediss://), checking its certificate "
          + "and host name.")
  boolean redisTls;

  @Option(names = "--cms-redis-tls-ca-file", defaultValue = "",
      description = "PEM file of the CA certificates the CMS Redis's certificate is checked "
          + "against; empty: the JVM's default trust store. Needs --cms-redis-tls.")
  String redisTlsCaFile;

  @Option(names = "--cms-expired-time", defaultValue = "100",
      description = "Seconds before CMS records expire; <= 0: never.")
  long expiredSeconds;

  @Option(names = "--status-push-interval", defaultValue = "0.04",
      description = "Within this, load changes make one status write.")
  Duration statusPush;

  @Option(names = "--metadata-push-interval", defaultValue = "20",
      description = "Between metadata refreshes.")
  Duration metadataPush;

  @Option(names = "--recent-waitings-staleness-seconds", defaultValue = "10",
      description = "Seconds a request stays in recent_waiting_requests after it arrived.")
  double recentWaitingSeconds;

  @Option(names = "--llumlet-stall-seconds", defaultValue = "10",
      description = "An engine with work that finishes no step for this long is reported "
          + "unschedulable.")
  double stallSeconds;

  @Option(names = "--llumlet-advertise-host", defaultValue = "",
      description = "Address written as the instance's ip; empty: --host, or this machine's "
          + "address when --host is 0.0.0.0.")
  String advertiseHost;

  @Option(names = "--rpc-port", defaultValue = "-1",
      description = "The llumlet's gRPC service (Migrate, Abort) of instance i listens on this "
          + "plus i; -1: a free port. Its port is in the CMS metadata (llumlet_port).")
  int rpcPort;

  @Option(names = "--max-req-mig-in", defaultValue = "1",
      description = "Migrations an engine accepts at once.")
  int maxMigrateIn;

  @Option(names = "--max-req-mig-out", defaultValue = "1",
      description = "Migrations an engine sends at once (more queue).")
  int maxMigrateOut;

  @Option(names = "--detailed-mig-status", defaultValue = "0",
      description = "1: the status also counts tokens and KV-cache share migrating, and those "
          + "bound migrations too (--max-token-mig-*, --max-kv-cache-usage-ratio-mig-*).")
  int detailedMigrationStatus;

  @Option(names = "--max-token-mig-in", defaultValue = "100000",
      description = "Tokens an engine accepts migrating in at once (detailed status).")
  long maxTokensIn;

  @Option(names = "--max-token-mig-out", defaultValue = "100000",
      description = "Tokens an engine sends migrating out at once (detailed status).")
  long maxTokensOut;

  @Option(names = "--max-kv-cache-usage-ratio-mig-in", defaultValue = "0.3",
      description = "KV-cache share migrating in at once (detailed status).")
  double maxRatioIn;

  @Option(names = "--max-kv-cache-usage-ratio-mig-out", defaultValue = "0.3",
      description = "KV-cache share migrating out at once (detailed status).")
  double maxRatioOut;

  @Option(names = "--drain-timeout", defaultValue = "30s",
      description = "On SIGTERM an engine reports itself unschedulable, so the rescheduler moves "
          + "its requests out, and exits once none is left, or after this; 0: at once.")
  Duration drainTimeout;

  /** Where the llumlets publish, or null when they are off. */
  @Nullable CmsTarget target(String host, Map<String, String> environment) {
    if (!enabled && !"1".equals(environment.get("VLLM_ENABLE_LLUMNIX"))) {
      return null;
    }
    RedisConnection redis = new RedisConnection(redisAddress, redisPort, redisUsername,
        redisPassword, redisCluster, RedisTlsFlags.of("--cms-redis-tls", redisTls,
            redisTlsCaFile));
    return new CmsTarget(vertx -> RedisCmsStore.create(vertx, redis, 1000), settings(),
        advertised(host), new CmsTarget.MigrationSettings(rpcPort, maxMigrateIn, maxMigrateOut,
            CmsTarget.MigrationSettings.DEFAULT.handlerTimeoutMillis(),
            detailedMigrationStatus != 0, maxTokensIn, maxTokensOut, maxRatioIn, maxRatioOut));
  }

  Llumlet.Settings settings() {
    if (statusPush.isZero() || metadataPush.isZero() || stallSeconds <= 0) {
      throw new IllegalArgumentException("--status-push-interval, --metadata-push-interval and "
          + "--llumlet-stall-seconds must be > 0");
    }
    return new Llumlet.Settings(expiredSeconds, Math.max(1, statusPush.toMillis()),
        Math.max(1, metadataPush.toMillis()), 1000, millis(stallSeconds),
        millis(recentWaitingSeconds));
  }

  private static long millis(double seconds) {
    return Math.max(1, Math.round(seconds * 1000));
  }

  private String advertised(String host) {
    if (!advertiseHost.isEmpty()) {
      return advertiseHost;
    }
    if (!host.equals("0.0.0.0") && !host.equals("::")) {
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }
}
