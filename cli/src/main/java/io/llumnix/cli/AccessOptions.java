package io.llumnix.cli;

import io.llumnix.gateway.auth.AuthSettings;
import io.llumnix.openai.http.HttpLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Who may use the gateway, and what its HTTP server accepts. */
final class AccessOptions {

  /** The environment variable of API keys, in the --api-keys file's syntax. */
  static final String KEYS_VARIABLE = "LLUMNIX_API_KEYS";

  @Option(names = "--api-keys", defaultValue = "",
      description = "A file of API keys clients must send as 'Authorization: Bearer <key>' "
          + "(a line is KEY or NAME KEY; # comments), re-read when it changes; also "
          + KEYS_VARIABLE + " (entries separated by commas or newlines). Neither: anyone may "
          + "use the gateway.")
  String keysFile;

  @Option(names = "--api-keys-interval", defaultValue = "10s",
      description = "Between reads of --api-keys.")
  Duration keysInterval;

  @Option(names = "--metrics-per-key", defaultValue = "false", arity = "0..1",
      fallbackValue = "true", description = "Count requests by API key name "
          + "(gateway_requests_by_key_total): one series per key and status.")
  boolean metricsPerKey;

  @Option(names = "--max-request-line-bytes",
      defaultValue = "" + 8192, description = "Longer request lines get 414.")
  int maxRequestLineBytes;

  @Option(names = "--max-header-bytes", defaultValue = "16384",
      description = "Larger header blocks get 431.")
  int maxHeaderBytes;

  @Option(names = "--max-header-count", defaultValue = "100",
      description = "More headers get 431.")
  int maxHeaderCount;

  @Option(names = "--max-request-body-bytes", defaultValue = "" + (64L * 1024 * 1024),
      description = "Larger request bodies get 413.")
  long maxBodyBytes;

  @Option(names = "--request-body-timeout", defaultValue = "30s",
      description = "A body not received within this long after the request's head gets 408.")
  Duration bodyTimeout;

  @Option(names = "--idle-timeout", defaultValue = "600s",
      description = "A connection with no traffic for this long is closed; 0: never.")
  Duration idleTimeout;

  AuthSettings auth() {
    String environment = System.getenv(KEYS_VARIABLE);
    return new AuthSettings(keysFile, environment == null ? "" : environment,
        Math.max(1, keysInterval.toMillis()), metricsPerKey);
  }

  HttpLimits http() {
    return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes,
        Math.max(1, bodyTimeout.toMillis()), (int) idleTimeout.toSeconds());
  }
}
