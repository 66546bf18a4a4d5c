package io.llumnix.gateway.route;

import io.llumnix.core.time.Clock;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Holds requests whose fallback answered 429 (too many requests) and tries them again later,
 * while their clients wait: try {@code k} (from 0) after min(init · 2^k, max), until one is
 * answered, answers something other than 429, or {@code maxCount} tries were made.
 *
 * <p>At most {@code workers} requests are being retried at once and {@code size} more wait
 * for a worker; a request that finds both full is not taken ({@link #offer} is false) and is
 * answered at once, so a provider that stays rate-limited costs bounded memory. Runs on the
 * gateway's event loop: waits are timers, never a blocked thread.
 */
final class RateLimitRetryQueue {

  /** How one try ended. */
  enum Result { ANSWERED, RATE_LIMITED, FAILED }

  /** One try of a held request. */
  @FunctionalInterface
  interface Attempt {
    void run(Consumer<Result> done);
  }

  private record Held(Attempt attempt, BooleanSupplier cancelled, Consumer<Result> finished) {}

  private final Clock clock;
  private final RetryQueueSettings settings;
  private final ArrayDeque<Held> waiting = new ArrayDeque<>();
  private int active;

  RateLimitRetryQueue(Clock clock, RetryQueueSettings settings) {
    this.clock = clock;
    this.settings = settings;
  }

  /**
   * Takes a request to retry; {@code finished} gets how its last try ended ({@code
   * RATE_LIMITED} when the tries ran out, {@code FAILED} when its client left). Returns false,
   * and calls nothing, when the queue is full.
   *
   * @param cancelled whether its client left: then no further try is made
   */
  boolean offer(Attempt attempt, BooleanSupplier cancelled, Consumer<Result> finished) {
    if (settings.maxCount() == 0) {
      return false;
    }
    Held held = new Held(attempt, cancelled, finished);
    if (active < settings.workers()) {
      active++;
      tryAfterDelay(held, 0);
      return true;
    }
    if (waiting.size() < settings.size()) {
      waiting.add(held);
      return true;
    }
    return false;
  }

  /** Requests being retried and waiting to be. */
  int held() {
    return active + waiting.size();
  }

  private void tryAfterDelay(Held held, int k) {
    clock.setTimer(settings.delayMillis(k), () -> {
      if (held.cancelled().getAsBoolean()) {
        finish(held, Result.FAILED);
        return;
      }
      held.attempt().run(result -> {
        boolean more = settings.maxCount() < 0 || k + 1 < settings.maxCount();
        if (result == Result.RATE_LIMITED && more) {
          tryAfterDelay(held, k + 1);
        } else {
          finish(held, result);
        }
      });
    });
  }

  private void finish(Held held, Result result) {
    Held next = waiting.poll();
    if (next != null) {
      tryAfterDelay(next, 0);
    } else {
      active--;
    }
    held.finished().accept(result);
  }
}
