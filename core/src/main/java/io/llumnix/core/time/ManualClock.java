package io.llumnix.core.time;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A clock that moves only when told: {@link #advance} runs, in time order, every timer that
 * falls due. For tests of timeouts, backoffs and keepalives without waiting, and for anything
 * that runs in virtual time.
 *
 * <p>Design notes. A timer runs on the executor current when it was set ({@code executorOfCaller};
 * the default runs it on the thread that advances), so a test can make timers of an event-loop
 * component run on that loop, as real timers would. Periodic timers are re-armed when they fire.
 * Thread-safe.
 */
public final class ManualClock implements Clock {

  private record Timer(long id, long dueNanos, long periodNanos, Runnable task, Executor executor)
      implements Comparable<Timer> {
    @Override
    public int compareTo(Timer other) {
      int byTime = Long.compare(dueNanos, other.dueNanos);
      return byTime != 0 ? byTime : Long.compare(id, other.id);
    }
  }

  private final Supplier<Executor> executorOfCaller;
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private long nowNanos;
  private long epochOffsetMillis;
  private long nextId = 1;

  private ManualClock(Supplier<Executor> executorOfCaller, long epochMillis) {
    this.executorOfCaller = executorOfCaller;
    this.epochOffsetMillis = epochMillis;
  }

  /** A clock at epoch millisecond {@code epochMillis} whose timers run on the advancing thread. */
  public static ManualClock at(long epochMillis) {
    return new ManualClock(() -> Runnable::run, epochMillis);
  }

  /**
   * A clock at epoch millisecond {@code epochMillis} whose timers run on the executor that
   * {@code executorOfCaller} gives on the thread that sets them.
   */
  public static ManualClock at(long epochMillis, Supplier<Executor> executorOfCaller) {
    return new ManualClock(executorOfCaller, epochMillis);
  }

  @Override
  public synchronized long nanoTime() {
    return nowNanos;
  }

  @Override
  public synchronized long epochMillis() {
    return epochOffsetMillis + nowNanos / 1_000_000;
  }

  @Override
  public long setTimer(long delayMillis, Runnable task) {
    return add(delayMillis, 0, task);
  }

  @Override
  public long setPeriodic(long periodMillis, Runnable task) {
    return add(periodMillis, Math.max(1, periodMillis) * 1_000_000, task);
  }

  private long add(long delayMillis, long periodNanos, Runnable task) {
    Executor executor = executorOfCaller.get();
    synchronized (this) {
      long id = nextId++;
      timers.add(new Timer(id, nowNanos + Math.max(1, delayMillis) * 1_000_000, periodNanos,
          task, executor));
      return id;
    }
  }

  @Override
  public synchronized boolean cancelTimer(long id) {
    return timers.removeIf(t -> t.id() == id);
  }

  /** Timers not yet run or cancelled. */
  public synchronized int pendingTimers() {
    return timers.size();
  }

  /** Milliseconds until the next timer falls due, or -1 when none is pending. */
  public synchronized long millisToNextTimer() {
    Timer next = timers.peek();
    return next == null ? -1 : (next.dueNanos() - nowNanos + 999_999) / 1_000_000;
  }

  /** Moves time forward by {@code duration}, running each timer that falls due on the way. */
  public void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = nowNanos + duration.toNanos();
    }
    while (true) {
      Timer due;
      synchronized (this) {
        Timer next = timers.peek();
        if (next == null || next.dueNanos() > target) {
          nowNanos = Math.max(nowNanos, target);
          return;
        }
        due = timers.poll();
        nowNanos = Math.max(nowNanos, due.dueNanos());
        if (due.periodNanos() > 0) {
          timers.add(new Timer(due.id(), due.dueNanos() + due.periodNanos(), due.periodNanos(),
              due.task(), due.executor()));
        }
      }
      due.executor().execute(due.task());
    }
  }

  /** {@link #advance(Duration)} by {@code millis} milliseconds. */
  public void advanceMillis(long millis) {
    advance(Duration.ofMillis(millis));
  }
}
