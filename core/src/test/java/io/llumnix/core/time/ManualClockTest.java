package io.llumnix.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualClockTest {

  final ManualClock clock = ManualClock.at(5_000);
  final List<String> ran = new ArrayList<>();

  @Test
  void timersRunInTimeOrderWhenTimePassesThem() {
    clock.setTimer(30, () -> ran.add("b@" + clock.epochMillis()));
    clock.setTimer(10, () -> ran.add("a@" + clock.epochMillis()));
    clock.advanceMillis(9);
    assertThat(ran).isEmpty();
    clock.advanceMillis(21);
    assertThat(ran).containsExactly("a@5010", "b@5030");
    assertThat(clock.nanoTime()).isEqualTo(30_000_000);
    assertThat(clock.pendingTimers()).isZero();
  }

  @Test
  void periodicTimersRepeatUntilCancelled() {
    long id = clock.setPeriodic(100, () -> ran.add("tick"));
    clock.advanceMillis(350);
    assertThat(ran).hasSize(3);
    assertThat(clock.millisToNextTimer()).isEqualTo(50);
    assertThat(clock.cancelTimer(id)).isTrue();
    clock.advanceMillis(1000);
    assertThat(ran).hasSize(3);
  }

  @Test
  void aTimerSetByATimerRunsInTheSameAdvanceWhenDue() {
    clock.setTimer(10, () -> clock.setTimer(10, () -> ran.add("second")));
    clock.advanceMillis(25);
    assertThat(ran).containsExactly("second");
  }

  @Test
  void timersRunOnTheExecutorOfWhoeverSetThem() {
    List<Runnable> queued = new ArrayList<>();
    ManualClock deferred = ManualClock.at(0, () -> queued::add);
    deferred.setTimer(1, () -> ran.add("ran"));
    deferred.advanceMillis(5);
    assertThat(ran).isEmpty();
    queued.forEach(Runnable::run);
    assertThat(ran).containsExactly("ran");
    assertThat(deferred.millisSince(0)).isEqualTo(5.0);
  }
}
