package io.llumnix.gateway.route;

/**
 * The 429 retry queue of fallback attempts ({@code --fallback-retry-queue-*}; the reference's
 * names and defaults).
 *
 * @param enabled whether a fallback answered 429 is retried later at all
 * @param size requests waiting for a worker; a full queue retries nothing more
 * @param workers requests being retried at once
 * @param maxCount tries in the queue before giving up; a negative count retries until the
 *     client leaves
 * @param initDelayMillis before the first try; each later one waits twice as long
 * @param maxDelayMillis the longest wait between tries
 */
public record RetryQueueSettings(boolean enabled, int size, int workers, int maxCount,
    long initDelayMillis, long maxDelayMillis) {

  public static final RetryQueueSettings DEFAULT =
      new RetryQueueSettings(false, 100, 10, 3, 500, 5000);

  public RetryQueueSettings {
    if (size < 0 || workers < 1 || initDelayMillis < 0 || maxDelayMillis < initDelayMillis) {
      throw new IllegalArgumentException("--fallback-retry-queue-size " + size
          + ", --fallback-retry-worker-size " + workers + ", --fallback-retry-init-delay-ms "
          + initDelayMillis + ", --fallback-retry-max-delay-ms " + maxDelayMillis
          + " (expected: size >= 0, workers >= 1, 0 <= init delay <= max delay)");
    }
  }

  /** The wait before try {@code k} (from 0): init · 2^k, at most the max. */
  long delayMillis(int k) {
    long delay = initDelayMillis;
    for (int i = 0; i < k && delay < maxDelayMillis; i++) {
      delay *= 2;
    }
    return Math.min(delay, maxDelayMillis);
  }
}
