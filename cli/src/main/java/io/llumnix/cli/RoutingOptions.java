package io.llumnix.cli;

import io.llumnix.gateway.route.RetryQueueSettings;
import io.llumnix.gateway.route.RouteSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The gateway's traffic-splitting and fallback flags (the reference's names and defaults). */
final class RoutingOptions {

  @Option(names = "--route-policy", defaultValue = "",
      description = "How requests are split by --route-config: weight (each entry's weight "
          + "share) or prefix (the entry whose prefix is the model, or the longest prefix* "
          + "that starts it); empty: every request to this gateway's cluster.")
  String policy;

  @Option(names = "--route-config", defaultValue = "",
      description = "A JSON array of {\"base_url\" (\"local\" = this cluster, or an "
          + "OpenAI-compatible server), \"api_key\", \"weight\", \"prefix\", \"fallback\"}, or the "
          + "path of a file holding one, re-read when it changes. Fallback entries take, in "
          + "order, requests whose route failed.")
  String config;

  @Option(names = "--route-config-interval", defaultValue = "10s",
      description = "Between reads of a --route-config file.")
  Duration interval;

  @Option(names = "--fallback-retry-queue-enabled", defaultValue = "false", arity = "0..1",
      fallbackValue = "true", description = "Retry a fallback answered 429 later, while the "
          + "client waits, instead of at once moving on.")
  boolean retryQueue;

  @Option(names = "--fallback-retry-queue-size", defaultValue = "100",
      description = "Rate-limited requests waiting for a retry worker; when full, no retry.")
  int queueSize;

  @Option(names = "--fallback-retry-worker-size", defaultValue = "10",
      description = "Rate-limited requests retried at once.")
  int workers;

  @Option(names = "--fallback-retry-max-count", defaultValue = "3",
      description = "Tries of a rate-limited request; negative: until its client leaves.")
  int maxCount;

  @Option(names = "--fallback-retry-init-delay-ms", defaultValue = "500",
      description = "Before the first retry; each later one waits twice as long.")
  long initDelayMillis;

  @Option(names = "--fallback-retry-max-delay-ms", defaultValue = "5000",
      description = "The longest wait between retries.")
  long maxDelayMillis;

  /** The routing in words, for the start-up line; empty without a route config. */
  String describe() {
    if (config.isBlank()) {
      return "";
    }
    return " (routes by " + policy + (config.strip().startsWith("[") ? ", inline"
        : " from " + config) + (retryQueue ? ", 429 retry queue" : "") + ")";
  }

  RouteSettings settings() {
    return new RouteSettings(policy, config, Math.max(1, interval.toMillis()),
        new RetryQueueSettings(retryQueue, queueSize, workers, maxCount, initDelayMillis,
            maxDelayMillis));
  }
}
