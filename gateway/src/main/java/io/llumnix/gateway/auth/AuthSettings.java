package io.llumnix.gateway.auth;

/**
 * Who may use the gateway.
 *
 * @param keysFile {@code --api-keys}: a file of keys, re-read every {@code checkMillis}; empty:
 *     none
 * @param environmentKeys the keys of {@code LLUMNIX_API_KEYS}, in the file's syntax; empty:
 *     none
 * @param metricsPerKey {@code --metrics-per-key}: count requests by key name
 *     ({@code gateway_requests_by_key_total}); off by default, since every key is a series
 */
public record AuthSettings(String keysFile, String environmentKeys, long checkMillis,
    boolean metricsPerKey) {

  /** Open: no key needed. */
  public static final AuthSettings OPEN = new AuthSettings("", "", 10_000, false);

  public AuthSettings {
    if (checkMillis < 1) {
      throw new IllegalArgumentException("--api-keys-interval: " + checkMillis
          + " ms (expected: >= 1)");
    }
  }

  /** Whether any key is configured, so requests must carry one. */
  public boolean required() {
    return !keysFile.isBlank() || !environmentKeys.isBlank();
  }
}
