package io.llumnix.gateway.route;

/**
 * How the gateway routes between its own cluster and external servers.
 *
 * @param policy {@code --route-policy}: a name of {@link RouteTable#POLICIES}; empty with no
 *     config
 * @param config {@code --route-config}: a JSON array of entries, or the path of a file holding
 *     one, re-read every {@code checkMillis}; empty: every request to the local cluster
 * @param checkMillis {@code --route-config-interval}
 * @param retryQueue the 429 retry queue of fallback attempts
 */
public record RouteSettings(String policy, String config, long checkMillis,
    RetryQueueSettings retryQueue) {

  /** No routing: the local cluster only. */
  public static final RouteSettings LOCAL_ONLY =
      new RouteSettings("", "", 10_000, RetryQueueSettings.DEFAULT);

  public RouteSettings {
    if (!policy.isEmpty() && !RouteTable.POLICIES.containsKey(policy)) {
      throw new IllegalArgumentException("--route-policy: " + policy
          + " (expected one of: " + RouteTable.POLICIES.keySet().stream().sorted().toList()
          + ")");
    }
    if (policy.isEmpty() && !config.isBlank()) {
      throw new IllegalArgumentException("--route-config needs --route-policy (one of: "
          + RouteTable.POLICIES.keySet().stream().sorted().toList() + ")");
    }
    if (checkMillis < 1) {
      throw new IllegalArgumentException("--route-config-interval: " + checkMillis
          + " ms (expected: >= 1)");
    }
  }

  /** Whether {@link #config} is the entries themselves rather than a file's path. */
  boolean inline() {
    return config.strip().startsWith("[");
  }
}
