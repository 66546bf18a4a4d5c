package io.llumnix.runtime;

import io.llumnix.core.time.Clock;
import io.vertx.core.Vertx;

/**
 * The real clock, with Vert.x timers: a timer set on an event loop runs on that loop, so the
 * single-threaded state of a component stays on its thread.
 */
public final class VertxClock implements Clock {

  private final Vertx vertx;

  private VertxClock(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The system clock with {@code vertx}'s timers. */
  public static Clock of(Vertx vertx) {
    return new VertxClock(vertx);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long epochMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long setTimer(long delayMillis, Runnable task) {
    return vertx.setTimer(Math.max(1, delayMillis), id -> task.run());
  }

  @Override
  public long setPeriodic(long periodMillis, Runnable task) {
    return vertx.setPeriodic(Math.max(1, periodMillis), id -> task.run());
  }

  @Override
  public boolean cancelTimer(long id) {
    return vertx.cancelTimer(id);
  }
}
