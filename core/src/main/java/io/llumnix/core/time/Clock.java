package io.llumnix.core.time;

/**
 * Time as a component sees it: a monotonic reading for durations, the wall clock for what other
 * processes compare (CMS timestamps), and timers. Every component that waits or measures takes
 * one, so a test can hand it a {@link ManualClock} and move time instead of sleeping.
 *
 * <p>Timers keep the threading of the implementation: on an event loop (the Vert.x clock of the
 * {@code runtime} module) a timer set from the loop runs on that loop; a {@link ManualClock}
 * runs each timer where its executor says.
 */
public interface Clock {

  /** Monotonic nanoseconds, for durations; unrelated to the wall clock. */
  long nanoTime();

  /** Milliseconds since the epoch. */
  long epochMillis();

  /**
   * Runs {@code task} once, {@code delayMillis} from now (at least 1 ms); returns the timer's
   * id for {@link #cancelTimer}.
   */
  long setTimer(long delayMillis, Runnable task);

  /** Runs {@code task} every {@code periodMillis} (at least 1 ms), first one period from now. */
  long setPeriodic(long periodMillis, Runnable task);

  /** Cancels a timer; returns whether it was still pending. */
  boolean cancelTimer(long id);

  /** Milliseconds elapsed since the {@link #nanoTime()} reading {@code startNanos}. */
  default double millisSince(long startNanos) {
    return (nanoTime() - startNanos) / 1e6;
  }
}
