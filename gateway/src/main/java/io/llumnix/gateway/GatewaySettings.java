package io.llumnix.gateway;

/**
 * The gateway's own settings (the balancer and discovery are passed in built).
 *
 * @param maxModelLen the context length for validation and chat's default {@code max_tokens};
 *     0 leaves both to the engine
 * @param maxQueueSize requests waiting for an instance at once before new ones wait, then 429
 * @param queueWorkers requests scheduled at once ({@code --wait-queue-threads})
 * @param queueFullWaitMillis how long a request waits for room in a full queue before 429
 * @param retryMaxCount retries on another instance of a request that failed before its first
 *     byte went to the client
 * @param maxRequestBodyBytes larger bodies are answered 413
 */
public record GatewaySettings(String host, int port, int maxModelLen, int maxQueueSize,
    int queueWorkers, long queueFullWaitMillis, int retryMaxCount, long maxRequestBodyBytes) {

  public GatewaySettings {
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException("--max-queue-size: " + maxQueueSize + " (expected: >= 1)");
    }
    if (retryMaxCount < 0) {
      throw new IllegalArgumentException(
          "--retry-max-count: " + retryMaxCount + " (expected: >= 0)");
    }
  }
}
