package io.llumnix.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The queue on a manual clock: its order, its workers, and the wait of a full queue. */
class SchedulingQueueTest {

  final ManualClock clock = ManualClock.at(0);
  final List<String> ran = new ArrayList<>();
  final List<String> rejected = new ArrayList<>();
  final List<Runnable> running = new ArrayList<>();
  final ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(10);
  final GaugeDataPoint pending =
      metrics.gauge(LlumnixMetrics.GATEWAY_PENDING_REQUESTS).labels();

  SchedulingQueue queue(int capacity, int workers, long waitMillis) {
    return new SchedulingQueue(clock, capacity, workers, waitMillis, pending);
  }

  SchedulingQueue.Job job(String name, int priority) {
    return new SchedulingQueue.Job() {
      @Override
      public int priority() {
        return priority;
      }

      @Override
      public void run(Runnable done) {
        ran.add(name);
        running.add(done);
      }

      @Override
      public void rejected() {
        rejected.add(name);
      }

      @Override
      public boolean cancelled() {
        return name.startsWith("gone");
      }
    };
  }

  double pending() {
    return Double.parseDouble(metrics.scrape(null).lines()
        .filter(l -> l.startsWith("gateway_pending_requests ")).findFirst().orElseThrow()
        .split(" ")[1]);
  }

  @Test
  void lowerPriorityFirstThenArrivalOrder() {
    SchedulingQueue queue = queue(10, 1, 1000);
    queue.submit(job("first", 0)); // runs at once: the worker is free
    queue.submit(job("late-low", 5));
    queue.submit(job("urgent-a", -1));
    queue.submit(job("urgent-b", -1));
    assertThat(ran).containsExactly("first");
    for (int i = 0; i < 3; i++) {
      running.remove(0).run();
    }
    assertThat(ran).containsExactly("first", "urgent-a", "urgent-b", "late-low");
  }

  @Test
  void workersBoundWhatRunsAtOnceAndAJobEndsOnce() {
    SchedulingQueue queue = queue(100, 2, 1000);
    for (int i = 0; i < 5; i++) {
      queue.submit(job("j" + i, 0));
    }
    assertThat(ran).containsExactly("j0", "j1");
    assertThat(pending()).isEqualTo(5);
    Runnable first = running.remove(0);
    first.run();
    first.run(); // a second call frees no second worker
    assertThat(ran).containsExactly("j0", "j1", "j2");
    assertThat(pending()).isEqualTo(4);
  }

  @Test
  void aCancelledJobIsSkipped() {
    SchedulingQueue queue = queue(10, 1, 1000);
    queue.submit(job("busy", 0));
    queue.submit(job("gone", 0));
    queue.submit(job("next", 0));
    running.remove(0).run();
    assertThat(ran).containsExactly("busy", "next");
  }

  @Test
  void aFullQueueRejectsAfterTheWaitAndNotBefore() {
    SchedulingQueue queue = queue(1, 1, 50);
    queue.submit(job("running", 0));
    queue.submit(job("queued", 0));
    queue.submit(job("overflow", 0));
    clock.advanceMillis(40);
    assertThat(rejected).isEmpty();
    clock.advanceMillis(20);
    assertThat(rejected).containsExactly("overflow");
    assertThat(ran).containsExactly("running");
    running.remove(0).run();
    assertThat(ran).containsExactly("running", "queued");
  }

  @Test
  void aRequestWaitingForRoomGetsInWhenRoomFrees() {
    SchedulingQueue queue = queue(1, 1, 1000);
    queue.submit(job("running", 0));
    queue.submit(job("queued", 0));
    queue.submit(job("waiting", 0));
    running.remove(0).run(); // "queued" runs; "waiting" moves into the queue
    running.remove(0).run();
    assertThat(ran).containsExactly("running", "queued", "waiting");
    clock.advanceMillis(2000);
    assertThat(rejected).isEmpty();
  }
}
