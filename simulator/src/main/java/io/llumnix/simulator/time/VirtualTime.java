package io.llumnix.simulator.time;

import io.llumnix.core.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * The simulation's only notion of time: a queue of events in virtual nanoseconds, run one at a
 * time in (time, order of scheduling) order, so that the same inputs always give the same run.
 * It is also the {@link Clock} every production component of the simulation is built with
 * (scheduler, CMS reader, llumlets, the gateway's queue), whose millisecond timers become events.
 *
 * <p>Not thread-safe: one thread runs a whole simulation.
 */
public final class VirtualTime implements Clock {

  /** The epoch millisecond virtual time 0 stands for (CMS timestamps compare against it). */
  public static final long EPOCH_ORIGIN_MILLIS = 1_700_000_000_000L;

  private static final class Event implements Comparable<Event> {
    final long atNanos;
    final long seq;
    final long periodNanos;
    final Runnable task;
    final long timerId;
    boolean cancelled;

    Event(long atNanos, long seq, long periodNanos, Runnable task, long timerId) {
      this.atNanos = atNanos;
      this.seq = seq;
      this.periodNanos = periodNanos;
      this.task = task;
      this.timerId = timerId;
    }

    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(atNanos, other.atNanos);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }
  }

  private final PriorityQueue<Event> events = new PriorityQueue<>(1024);
  /** Clock timers still pending, by id, so that they can be cancelled. */
  private final Map<Long, Event> timers = new HashMap<>();
  private long nowNanos;
  private long seq;
  private long nextTimerId = 1;

  /** Runs {@code task} at virtual time {@code atNanos} (now, if that has passed). */
  public void at(long atNanos, Runnable task) {
    events.add(new Event(Math.max(atNanos, nowNanos), seq++, 0, task, 0));
  }

  /** Runs {@code task} {@code delayNanos} from now. */
  public void after(long delayNanos, Runnable task) {
    at(nowNanos + Math.max(0, delayNanos), task);
  }

  /**
   * Runs events in order until {@code until} says stop (checked after each event) or none is
   * left. Returns whether it stopped because {@code until} said so.
   */
  public boolean runUntil(BooleanSupplier until) {
    while (!until.getAsBoolean()) {
      Event event = events.poll();
      if (event == null) {
        return false;
      }
      if (event.cancelled) {
        continue;
      }
      nowNanos = event.atNanos;
      if (event.periodNanos > 0) {
        Event next = new Event(event.atNanos + event.periodNanos, seq++, event.periodNanos,
            event.task, event.timerId);
        timers.put(event.timerId, next);
        events.add(next);
      } else if (event.timerId != 0) {
        timers.remove(event.timerId);
      }
      event.task.run();
    }
    return true;
  }

  @Override
  public long nanoTime() {
    return nowNanos;
  }

  @Override
  public long epochMillis() {
    return EPOCH_ORIGIN_MILLIS + nowNanos / 1_000_000;
  }

  @Override
  public long setTimer(long delayMillis, Runnable task) {
    return addTimer(delayMillis, 0, task);
  }

  @Override
  public long setPeriodic(long periodMillis, Runnable task) {
    return addTimer(periodMillis, Math.max(1, periodMillis) * 1_000_000, task);
  }

  private long addTimer(long delayMillis, long periodNanos, Runnable task) {
    long id = nextTimerId++;
    Event event = new Event(nowNanos + Math.max(1, delayMillis) * 1_000_000, seq++, periodNanos,
        task, id);
    timers.put(id, event);
    events.add(event);
    return id;
  }

  @Override
  public boolean cancelTimer(long id) {
    Event event = timers.remove(id);
    if (event == null) {
      return false;
    }
    event.cancelled = true; // left in the queue, skipped when it comes up
    return true;
  }
}
