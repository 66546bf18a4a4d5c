package io.llumnix.scheduler;

import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.ServiceToken;
import io.llumnix.scheduler.cache.CacheAwareConfig;
import io.llumnix.scheduler.cms.CmsReader;
import io.llumnix.scheduler.cms.FullModePolicies;
import io.llumnix.scheduler.dispatch.Mode;
import io.llumnix.scheduler.dispatch.PolicyRegistry;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;

/**
 * Everything a scheduler is started with: the reference's flags, resolved. Built with
 * {@link #builder()}, whose defaults are the reference's.
 *
 * @param keepaliveIntervalMillis ping interval of the {@code /keepalive} socket; a gateway that
 *     misses two pings is dropped
 * @param fullMode {@code --enable-full-mode-scheduling}: schedule from the CMS
 * @param policy {@code --scheduling-policy}, a name of {@link PolicyRegistry} for the mode
 * @param cmsIntervals full mode: how often the CMS is read
 * @param localAccount full mode: {@code --enable-instance-status-local-account}
 * @param accountStalenessSeconds full mode: {@code --request-local-account-staleness-seconds}
 * @param cacheAware full mode: cache-aware scheduling (forced off in lite mode and under
 *     {@code flood}, as the reference does)
 * @param rescheduling full mode: whether and how requests are migrated between instances
 *     ({@code --colocated-rescheduling-mode}, {@code --standalone-rescheduling-mode},
 *     {@code --rescheduling-*})
 * @param serviceToken {@code --service-token}: what the internal routes ({@code /schedule},
 *     {@code /release}, {@code /report}, {@code /keepalive}) require in {@code Authorization};
 *     {@link ServiceToken#NONE}: nothing
 * @param internalPort {@code --internal-port}: when above 0, the internal routes are served on
 *     this second port only and {@code port} keeps {@code /metrics} and {@code /healthz}; 0:
 *     everything on {@code port}
 * @param failureCooldownMillis {@code --instance-failure-cooldown-ms}: an instance a gateway
 *     reported failed at the transport level is passed over this long (while others can be
 *     chosen); 0: never
 */
public record SchedulerConfig(String host, int port, long keepaliveIntervalMillis,
    boolean fullMode, String policy, PolicyConfig policyConfig, CmsReader.Intervals cmsIntervals,
    boolean localAccount, long accountStalenessSeconds, CacheAwareConfig cacheAware,
    ReschedulingConfig rescheduling, ServiceToken serviceToken, int internalPort,
    long failureCooldownMillis) {

  /** {@value} */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** {@value}: the port the deployments use. */
  public static final int DEFAULT_PORT = 8088;
  /** {@value} */
  public static final String DEFAULT_POLICY = "load-balance";
  /** {@value}: the reference's code default (its deployments use 500). */
  public static final long DEFAULT_CMS_STATUS_INTERVAL_MILLIS = 50;
  /** {@value} */
  public static final long DEFAULT_CMS_METADATA_INTERVAL_MILLIS = 10_000;
  /** {@value} */
  public static final long DEFAULT_ACCOUNT_STALENESS_SECONDS = 10;
  /** {@value}: ours (the reference has no cooldown). */
  public static final long DEFAULT_FAILURE_COOLDOWN_MILLIS = 10_000;

  public SchedulerConfig {
    if (keepaliveIntervalMillis < 1) {
      throw new IllegalArgumentException(
          "--keepalive-interval-ms: " + keepaliveIntervalMillis + " (expected: >= 1)");
    }
    if (internalPort < 0 || internalPort > 65535 || (internalPort > 0 && internalPort == port)) {
      throw new IllegalArgumentException("--internal-port: " + internalPort
          + " (expected: 0 for the --port listener, else a port other than " + port + ")");
    }
    if (failureCooldownMillis < 0) {
      throw new IllegalArgumentException("--instance-failure-cooldown-ms: "
          + failureCooldownMillis + " (expected: >= 0)");
    }
    PolicyRegistry.builtins().check(mode(fullMode), policy);
    FullModePolicies.FailoverDomain.of(policyConfig.failoverDomain());
    if (rescheduling.enabled() && !fullMode) {
      throw new IllegalArgumentException((rescheduling.mode() == ReschedulingConfig.Mode.COLOCATED
          ? "--colocated-rescheduling-mode" : "--standalone-rescheduling-mode")
          + " needs full mode: rescheduling reads the CMS (drop "
          + "--no-enable-full-mode-scheduling)");
    }
    if (cacheAware.enabled() && (!fullMode || policy.equals("flood"))) {
      cacheAware = CacheAwareConfig.disabled();
    }
    if (cacheAware.enabled()) {
      FullModePolicies.CmsMetric.locality(cacheAware.localityMetric());
      if (!policyConfig.cacheLocalityMetric().equals(cacheAware.localityMetric())) {
        policyConfig = policyConfig.withCacheLocalityMetric(cacheAware.localityMetric());
      }
    }
  }

  /** The same settings on {@code port} (a restart on the port a first start picked). */
  public SchedulerConfig withPort(int port) {
    return new SchedulerConfig(host, port, keepaliveIntervalMillis, fullMode, policy,
        policyConfig, cmsIntervals, localAccount, accountStalenessSeconds, cacheAware,
        rescheduling, serviceToken, internalPort, failureCooldownMillis);
  }

  /** The same settings with {@code cacheAware}. */
  public SchedulerConfig withCacheAware(CacheAwareConfig cacheAware) {
    return new SchedulerConfig(host, port, keepaliveIntervalMillis, fullMode, policy,
        policyConfig, cmsIntervals, localAccount, accountStalenessSeconds, cacheAware,
        rescheduling, serviceToken, internalPort, failureCooldownMillis);
  }

  private static Mode<?> mode(boolean fullMode) {
    return fullMode ? Mode.FULL : Mode.LITE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link SchedulerConfig}; unset values are the defaults. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private long keepaliveIntervalMillis = Keepalive.DEFAULT_INTERVAL_MILLIS;
    private boolean fullMode = true;
    private String policy = DEFAULT_POLICY;
    private PolicyConfig policyConfig = PolicyConfig.defaults();
    private long statusIntervalMillis = DEFAULT_CMS_STATUS_INTERVAL_MILLIS;
    private long metadataIntervalMillis = DEFAULT_CMS_METADATA_INTERVAL_MILLIS;
    private boolean localAccount = true;
    private long accountStalenessSeconds = DEFAULT_ACCOUNT_STALENESS_SECONDS;
    private CacheAwareConfig cacheAware = CacheAwareConfig.disabled();
    private ReschedulingConfig rescheduling = ReschedulingConfig.disabled();
    private ServiceToken serviceToken = ServiceToken.NONE;
    private int internalPort;
    private long failureCooldownMillis = DEFAULT_FAILURE_COOLDOWN_MILLIS;

    private Builder() {}

    /** 0 turns the cooldown off. */
    public Builder failureCooldownMillis(long millis) {
      this.failureCooldownMillis = millis;
      return this;
    }

    /** None by default: the internal routes are open, as the reference's are. */
    public Builder serviceToken(ServiceToken serviceToken) {
      this.serviceToken = serviceToken;
      return this;
    }

    /** 0 (the default): the internal routes share {@link #port}'s listener. */
    public Builder internalPort(int internalPort) {
      this.internalPort = internalPort;
      return this;
    }

    /** Off by default. */
    public Builder rescheduling(ReschedulingConfig rescheduling) {
      this.rescheduling = rescheduling;
      return this;
    }

    public Builder cacheAware(CacheAwareConfig cacheAware) {
      this.cacheAware = cacheAware;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder keepaliveIntervalMillis(long millis) {
      this.keepaliveIntervalMillis = millis;
      return this;
    }

    public Builder fullMode(boolean fullMode) {
      this.fullMode = fullMode;
      return this;
    }

    public Builder policy(String policy) {
      this.policy = policy;
      return this;
    }

    public Builder policyConfig(PolicyConfig config) {
      this.policyConfig = config;
      return this;
    }

    public Builder cmsStatusIntervalMillis(long millis) {
      this.statusIntervalMillis = millis;
      return this;
    }

    public Builder cmsMetadataIntervalMillis(long millis) {
      this.metadataIntervalMillis = millis;
      return this;
    }

    public Builder localAccount(boolean enabled) {
      this.localAccount = enabled;
      return this;
    }

    public Builder accountStalenessSeconds(long seconds) {
      this.accountStalenessSeconds = seconds;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException for a policy the mode lacks, or a value out of range
     */
    public SchedulerConfig build() {
      return new SchedulerConfig(host, port, keepaliveIntervalMillis, fullMode, policy,
          policyConfig, new CmsReader.Intervals(statusIntervalMillis, metadataIntervalMillis),
          localAccount, accountStalenessSeconds, cacheAware, rescheduling, serviceToken,
          internalPort, failureCooldownMillis);
    }
  }
}
