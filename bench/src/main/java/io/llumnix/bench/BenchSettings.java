package io.llumnix.bench;

import java.net.URI;

/**
 * One bench run.
 *
 * @param baseUrl the server, e.g. {@code http://127.0.0.1:8089}
 * @param chat whether to call {@code /v1/chat/completions} (else {@code /v1/completions})
 * @param model the model to ask for; empty asks the server's {@code /v1/models} first
 * @param numRequests how many requests to send
 * @param requestRate arrivals per second; infinite sends as fast as the concurrency cap allows
 * @param poisson whether arrivals are a Poisson process (else evenly spaced)
 * @param maxConcurrency the most requests in flight
 * @param sharedPrefixGroups prompts share one of this many prefixes (0: none)
 * @param sharedPrefixTokens the length of each shared prefix
 * @param ignoreEos ask the server to generate exactly the sampled output length
 * @param goodputTtftMillis a request counts towards goodput only if its TTFT is at most this
 * @param goodputTpotMillis ... and its TPOT at most this
 * @param timeoutMillis a request still running after this fails as a timeout
 * @param warmupRequests requests sent first to a loopback server of the bench's own, unmeasured,
 *     so the bench's own request path is compiled before it measures (see {@link WarmUp})
 */
public record BenchSettings(URI baseUrl, boolean chat, String model, int numRequests,
    double requestRate, boolean poisson, int maxConcurrency, int promptTokens,
    LengthDistribution promptDistribution, int outputTokens,
    LengthDistribution outputDistribution, int sharedPrefixGroups, int sharedPrefixTokens,
    boolean ignoreEos, long seed, double goodputTtftMillis, double goodputTpotMillis,
    long timeoutMillis, int warmupRequests) {

  /** Settings without a warm-up. */
  public BenchSettings(URI baseUrl, boolean chat, String model, int numRequests,
      double requestRate, boolean poisson, int maxConcurrency, int promptTokens,
      LengthDistribution promptDistribution, int outputTokens,
      LengthDistribution outputDistribution, int sharedPrefixGroups, int sharedPrefixTokens,
      boolean ignoreEos, long seed, double goodputTtftMillis, double goodputTpotMillis,
      long timeoutMillis) {
    this(baseUrl, chat, model, numRequests, requestRate, poisson, maxConcurrency, promptTokens,
        promptDistribution, outputTokens, outputDistribution, sharedPrefixGroups,
        sharedPrefixTokens, ignoreEos, seed, goodputTtftMillis, goodputTpotMillis,
        timeoutMillis, 0);
  }

  public BenchSettings {
    check(numRequests > 0, "num-requests", numRequests, "> 0");
    check(requestRate > 0, "request-rate", requestRate, "> 0");
    check(maxConcurrency > 0, "max-concurrency", maxConcurrency, "> 0");
    check(promptTokens > 0, "prompt-tokens", promptTokens, "> 0");
    check(outputTokens > 0, "output-tokens", outputTokens, "> 0");
    check(sharedPrefixGroups >= 0, "shared-prefix-groups", sharedPrefixGroups, ">= 0");
    check(sharedPrefixTokens >= 0, "shared-prefix-tokens", sharedPrefixTokens, ">= 0");
    check(timeoutMillis > 0, "timeout", timeoutMillis, "> 0");
    check(warmupRequests >= 0, "warmup-requests", warmupRequests, ">= 0");
    String scheme = baseUrl.getScheme();
    if (!"http".equals(scheme) || baseUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "url: " + baseUrl + " (expected: http://host[:port], e.g. http://127.0.0.1:8089)");
    }
  }

  private static void check(boolean ok, String flag, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "--" + flag + ": " + value + " (expected: " + expected + ")");
    }
  }

  /** The port of the base URL (80 when not given). */
  public int port() {
    return baseUrl.getPort() < 0 ? 80 : baseUrl.getPort();
  }

  /** The path prefix of the base URL, without a trailing slash ("" or "/v1"-free paths). */
  public String pathPrefix() {
    String path = baseUrl.getPath() == null ? "" : baseUrl.getPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path.endsWith("/v1") ? path.substring(0, path.length() - 3) : path;
  }
}
