package io.llumnix.gateway.scheduling;

import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import java.util.List;

/**
 * How the gateway uses its schedulers. Built with {@link #builder}; defaults are the
 * reference's.
 *
 * @param endpoints {@code --scheduler-endpoints}, tried in turn
 * @param client timeout, {@code --service-token} and connections of each call
 * @param waitSchedulingTimeoutMillis {@code --wait-scheduling-timeout}: how long a scheduler
 *     that has no instance free (429) is asked again
 * @param waitSchedulingRetryMillis {@code --wait-scheduling-retry-interval}
 * @param reportIntervalMillis {@code --requests-report-duration}; 0: no lite-mode reports
 *     (full mode never reports: the engines' statuses carry the load)
 * @param reconnectMillis between keepalive dials
 * @param pingCheckMillis two checks this far apart without a ping drop the keepalive
 * @param fullMode {@code --enable-full-mode-scheduling}: the scheduler reads engine status from
 *     the CMS, so requests are neither reported nor released when they finish normally
 * @param forwardTokens {@code --forward-tokens}: send {@code prompt_token_ids}, so a scheduler
 *     can hash prompts (cache-aware scheduling)
 */
public record SchedulerSettings(List<SchedulerEndpoint> endpoints,
    SchedulerClient.Settings client, long waitSchedulingTimeoutMillis,
    long waitSchedulingRetryMillis, long reportIntervalMillis, long reconnectMillis,
    long pingCheckMillis, boolean fullMode, boolean forwardTokens) {

  /** {@value} */
  public static final long DEFAULT_WAIT_SCHEDULING_TIMEOUT_MILLIS = 5000;
  /** {@value} */
  public static final long DEFAULT_WAIT_SCHEDULING_RETRY_MILLIS = 1000;
  /** {@value} */
  public static final long DEFAULT_RECONNECT_MILLIS = 1000;
  /** {@value} */
  public static final long DEFAULT_REPORT_INTERVAL_MILLIS = 1000;

  public SchedulerSettings {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(
          "--scheduler-endpoints: empty (expected: host:port[,host:port...])");
    }
  }

  /** Settings for {@code endpoints}, the rest the defaults. */
  public static Builder builder(List<SchedulerEndpoint> endpoints) {
    return new Builder(endpoints);
  }

  /** Builds {@link SchedulerSettings}. */
  public static final class Builder {
    private final List<SchedulerEndpoint> endpoints;
    private SchedulerClient.Settings client = SchedulerClient.Settings.DEFAULT;
    private long waitTimeoutMillis = DEFAULT_WAIT_SCHEDULING_TIMEOUT_MILLIS;
    private long waitRetryMillis = DEFAULT_WAIT_SCHEDULING_RETRY_MILLIS;
    private long reportIntervalMillis = DEFAULT_REPORT_INTERVAL_MILLIS;
    private long reconnectMillis = DEFAULT_RECONNECT_MILLIS;
    private long pingCheckMillis = Keepalive.DEFAULT_INTERVAL_MILLIS;
    private boolean fullMode = true;
    private boolean forwardTokens = true;

    private Builder(List<SchedulerEndpoint> endpoints) {
      this.endpoints = endpoints;
    }

    public Builder client(SchedulerClient.Settings client) {
      this.client = client;
      return this;
    }

    public Builder waitSchedulingTimeoutMillis(long millis) {
      this.waitTimeoutMillis = millis;
      return this;
    }

    public Builder waitSchedulingRetryMillis(long millis) {
      this.waitRetryMillis = millis;
      return this;
    }

    public Builder reportIntervalMillis(long millis) {
      this.reportIntervalMillis = millis;
      return this;
    }

    public Builder reconnectMillis(long millis) {
      this.reconnectMillis = millis;
      return this;
    }

    public Builder pingCheckMillis(long millis) {
      this.pingCheckMillis = millis;
      return this;
    }

    public Builder fullMode(boolean fullMode) {
      this.fullMode = fullMode;
      return this;
    }

    public Builder forwardTokens(boolean forward) {
      this.forwardTokens = forward;
      return this;
    }

    public SchedulerSettings build() {
      return new SchedulerSettings(endpoints, client, waitTimeoutMillis, waitRetryMillis,
          reportIntervalMillis, reconnectMillis, pingCheckMillis, fullMode, forwardTokens);
    }
  }
}
