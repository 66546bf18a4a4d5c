package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {

  final Vertx vertx = Vertx.vertx();
  final Context context = vertx.getOrCreateContext();
  final List<String> ran = new CopyOnWriteArrayList<>();
  final List<String> rejected = new CopyOnWriteArrayList<>();
  final List<Runnable> running = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  SchedulingQueue queue(int capacity, int workers, long waitMillis) {
    var pending = ComponentMetrics.create(10).gauge(LlumnixMetrics.GATEWAY_PENDING_REQUESTS)
        .labels();
    return new SchedulingQueue(vertx, capacity, workers, waitMillis, pending);
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
        return false;
      }
    };
  }

  void onLoop(Runnable action) {
    context.runOnContext(ignored -> action.run());
  }

  @Test
  void lowerPriorityFirstThenArrivalOrder() {
    SchedulingQueue queue = queue(10, 1, 1000);
    onLoop(() -> {
      queue.submit(job("first", 0)); // runs at once: the worker is free
      queue.submit(job("late-low", 5));
      queue.submit(job("urgent-a", -1));
      queue.submit(job("urgent-b", -1));
    });
    await().until(() -> ran.size() == 1);
    for (int i = 0; i < 3; i++) {
      int expected = ran.size() + 1;
      onLoop(() -> running.remove(0).run());
      await().until(() -> ran.size() == expected);
    }
    assertThat(ran).containsExactly("first", "urgent-a", "urgent-b", "late-low");
  }

  @Test
  void workersBoundWhatRunsAtOnce() {
    SchedulingQueue queue = queue(100, 2, 1000);
    onLoop(() -> {
      for (int i = 0; i < 5; i++) {
        queue.submit(job("j" + i, 0));
      }
    });
    await().until(() -> ran.size() == 2);
    assertThat(ran).containsExactly("j0", "j1");
  }

  @Test
  void aFullQueueRejectsAfterTheWait() {
    SchedulingQueue queue = queue(1, 1, 50);
    onLoop(() -> {
      queue.submit(job("running", 0));
      queue.submit(job("queued", 0));
      queue.submit(job("overflow", 0));
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> rejected.contains("overflow"));
    assertThat(ran).containsExactly("running");
    List<String> before = new ArrayList<>(ran);
    onLoop(() -> running.remove(0).run());
    await().until(() -> ran.size() == before.size() + 1);
    assertThat(ran).containsExactly("running", "queued");
  }
}
