package io.llumnix.gateway.queue;

import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.llumnix.core.time.Clock;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The gateway's queue in front of scheduling: bounded, ordered by the request's
 * {@code priority} (lower first, as vLLM orders it) and by arrival within one priority, and
 * drained by a fixed number of workers, each scheduling one request at a time
 * ({@code --max-queue-size}, {@code --wait-queue-threads}). A request that finds the queue full
 * waits up to {@code --wait-queue-interval} for room, then is rejected (the gateway answers 429
 * with {@code Retry-After}); it never waits forever. Runs on one event loop: the gateway's, or
 * the scheduling loop of its own when a scheduler decides; its jobs go back to their own.
 */
public final class SchedulingQueue {

  /** A request waiting to be scheduled. */
  public interface Job {
    /** Lower runs first. */
    int priority();

    /** Schedules the request; calls {@code done} once the scheduling decision is in. */
    void run(Runnable done);

    /** The queue stayed full for the whole wait. */
    void rejected();

    /** Whether the client left, so the job can be skipped. */
    boolean cancelled();
  }

  private record Entry(Job job, long seq) {}

  private record Waiting(Job job, long deadlineNanos) {}

  private final Clock clock;
  private final int capacity;
  private final int workers;
  private final long fullWaitNanos;
  private final GaugeDataPoint pending;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>(
      Comparator.comparingInt((Entry e) -> e.job().priority()).thenComparingLong(Entry::seq));
  private final ArrayDeque<Waiting> overflow = new ArrayDeque<>();
  private long seq;
  private int busy;
  private long overflowTimer = -1;

  /**
   * @param capacity {@code --max-queue-size}
   * @param workers {@code --wait-queue-threads}
   * @param fullWaitMillis {@code --wait-queue-interval}
   * @param pending the {@code gateway_pending_requests} gauge
   */
  public SchedulingQueue(Clock clock, int capacity, int workers, long fullWaitMillis,
      GaugeDataPoint pending) {
    if (workers < 1) {
      throw new IllegalArgumentException(
          "--wait-queue-threads: " + workers + " (expected: >= 1)");
    }
    this.clock = clock;
    this.capacity = capacity;
    this.workers = workers;
    this.fullWaitNanos = fullWaitMillis * 1_000_000;
    this.pending = pending;
  }

  /** Queues {@code job}, or makes it wait for room when the queue is full. */
  public void submit(Job job) {
    if (queue.size() < capacity && overflow.isEmpty()) {
      queue.add(new Entry(job, seq++));
      drain();
    } else {
      overflow.addLast(new Waiting(job, clock.nanoTime() + fullWaitNanos));
      watchOverflow();
    }
    publish();
  }

  private void drain() {
    admitOverflow();
    while (busy < workers && !queue.isEmpty()) {
      Job job = queue.poll().job();
      if (job.cancelled()) {
        continue;
      }
      busy++;
      boolean[] finished = {false};
      job.run(() -> {
        if (!finished[0]) {
          finished[0] = true;
          busy--;
          drain();
          publish();
        }
      });
    }
    publish();
  }

  private void admitOverflow() {
    while (!overflow.isEmpty() && queue.size() < capacity) {
      queue.add(new Entry(overflow.pollFirst().job(), seq++));
    }
  }

  /** Rejects waiting requests whose wait ran out; checks again while any wait. */
  private void watchOverflow() {
    if (overflowTimer >= 0) {
      return;
    }
    overflowTimer = clock.setTimer(10, () -> {
      overflowTimer = -1;
      long now = clock.nanoTime();
      while (!overflow.isEmpty() && overflow.peekFirst().deadlineNanos() <= now) {
        overflow.pollFirst().job().rejected();
      }
      admitOverflow();
      drain();
      if (!overflow.isEmpty()) {
        watchOverflow();
      }
    });
  }

  private void publish() {
    pending.set(queue.size() + overflow.size() + busy);
  }
}
