package io.llumnix.enginesim;

import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.StepPlan;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One engine's step loop in simulated time: it decides a step at simulated time {@code t},
 * waits (a Vert.x timer) until the clock reaches {@code t + duration} and completes it there,
 * so tokens leave at the simulated step end.
 *
 * <p>Design notes. Timers have millisecond resolution: when less than a millisecond of wall
 * time remains the step completes at once, and the engine's own time runs ahead of the clock by
 * under a millisecond, never behind; every timestamp comes from the engine's time, so measured
 * latencies equal the step model's. When the loop falls behind (a busy machine) the next step
 * starts at the clock's time, which shows up as longer latencies, as a slow GPU would. Runs on
 * the engine's event loop; not thread-safe.
 */
final class StepLoop {

  private static final System.Logger logger = System.getLogger(StepLoop.class.getName());

  /** What the engine hears of its loop. */
  interface Listener {
    /** Nothing can run now: the loop went idle. */
    void idle();

    /** A step started: requests moved from waiting to running. */
    void stepStarted();

    /** A step completed; its requests advanced. */
    void stepDone();
  }

  private final Vertx vertx;
  private final SimClock clock;
  private final EngineCore core;
  private final Listener listener;
  private long engineNanos;
  private boolean stepping;
  private boolean stalled;
  private @Nullable Runnable parkedCompletion;
  private long steps;
  private long modelStepNanos;
  private long measuredStepNanos;
  private long wakeupTimer = -1;

  StepLoop(Vertx vertx, SimClock clock, EngineCore core, Listener listener) {
    this.vertx = vertx;
    this.clock = clock;
    this.core = core;
    this.listener = listener;
  }

  /** The engine's time now: the clock's, or a little ahead of it after a short step. */
  long nowNanos() {
    engineNanos = Math.max(engineNanos, clock.nowNanos());
    return engineNanos;
  }

  StepTiming timing() {
    return new StepTiming(steps, modelStepNanos, measuredStepNanos);
  }

  boolean stalled() {
    return stalled;
  }

  /** While stalled, steps do not finish; resuming finishes the one in flight. */
  void stall(boolean stall) {
    stalled = stall;
    Runnable parked = parkedCompletion;
    if (!stall && parked != null) {
      parkedCompletion = null;
      parked.run();
    }
  }

  /** Starts stepping if the loop is idle. */
  void kick() {
    if (!stepping) {
      if (wakeupTimer >= 0) {
        vertx.cancelTimer(wakeupTimer);
        wakeupTimer = -1;
      }
      step();
    }
  }

  /** Runs {@code action} on the event loop when the clock reaches {@code simNanos}. */
  void at(long simNanos, Runnable action) {
    long wait = wallMillisUntil(simNanos);
    if (wait <= 0) {
      vertx.getOrCreateContext().runOnContext(ignored -> action.run());
    } else {
      vertx.setTimer(wait, t -> action.run());
    }
  }

  /** Wall milliseconds until the clock reaches {@code simNanos}; 0 within a millisecond. */
  long wallMillisUntil(long simNanos) {
    long wall = clock.wallNanosUntil(simNanos);
    return wall < 1_000_000 ? 0 : TimeUnit.NANOSECONDS.toMillis(wall);
  }

  private void step() {
    StepPlan plan = core.schedule(nowNanos());
    if (plan == null) {
      stepping = false;
      listener.idle();
      long nextReady = core.nextRemoteKvReadyNanos();
      if (nextReady >= 0) {
        long wait = wallMillisUntil(nextReady);
        if (wait <= 0) {
          // Less than a timer tick away: run ahead to it, as steps do.
          engineNanos = Math.max(engineNanos, nextReady);
          stepping = true;
          vertx.getOrCreateContext().runOnContext(ignored -> step());
        } else {
          wakeupTimer = vertx.setTimer(wait, id -> {
            wakeupTimer = -1;
            kick();
          });
        }
      }
      return;
    }
    stepping = true;
    listener.stepStarted();
    long end = plan.endNanos();
    long waitMillis = wallMillisUntil(end);
    if (waitMillis <= 0) {
      vertx.getOrCreateContext().runOnContext(ignored -> complete(plan, end));
    } else {
      vertx.setTimer(waitMillis, ignored -> complete(plan, end));
    }
  }

  private void complete(StepPlan plan, long end) {
    if (stalled) {
      parkedCompletion = () -> complete(plan, end);
      return;
    }
    steps++;
    modelStepNanos += plan.durationNanos();
    measuredStepNanos += Math.max(clock.nowNanos(), end) - plan.startNanos();
    engineNanos = end;
    try {
      core.complete(plan);
      listener.stepDone();
    } catch (RuntimeException e) {
      logger.log(System.Logger.Level.ERROR, "engine step failed", e);
    }
    step();
  }
}
