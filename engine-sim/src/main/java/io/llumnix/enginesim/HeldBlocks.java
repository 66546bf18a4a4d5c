package io.llumnix.enginesim;

import io.llumnix.enginesim.core.EngineCore;
import io.vertx.core.Vertx;

/**
 * A prefill engine's KV blocks kept for a decode instance after the prompt is done: freed when
 * the decode side has pulled them (after the simulated transfer time), when it says it no
 * longer needs them, or when none came within {@code --kv-hold-timeout}. Runs on the engine's
 * event loop; {@code freed} tells the engine that blocks came back (gauges, the waiting queue).
 */
final class HeldBlocks {

  private final Vertx vertx;
  private final EngineCore core;
  private final StepLoop loop;
  private final long timeoutMillis;
  private final Runnable freed;

  HeldBlocks(Vertx vertx, EngineCore core, StepLoop loop, long timeoutMillis, Runnable freed) {
    this.vertx = vertx;
    this.core = core;
    this.loop = loop;
    this.timeoutMillis = timeoutMillis;
    this.freed = freed;
  }

  /** Tokens whose blocks {@code requestId} holds. */
  int tokens(String requestId) {
    return core.heldTokens(requestId);
  }

  /** Frees {@code requestId}'s blocks once {@code transferNanos} of simulated time passed. */
  void releaseAfter(String requestId, long transferNanos) {
    long wait = loop.wallMillisUntil(loop.nowNanos() + transferNanos);
    if (wait <= 0) {
      release(requestId);
    } else {
      vertx.setTimer(wait, t -> release(requestId));
    }
  }

  /** Frees {@code requestId}'s blocks now; false when it held none. */
  boolean release(String requestId) {
    if (!core.releaseHeld(requestId)) {
      return false;
    }
    freed.run();
    return true;
  }

  /** Starts the hold timeout of every request that began holding in the last step. */
  void timeNewlyHeld() {
    if (timeoutMillis > 0) {
      core.drainNewlyHeld(id -> vertx.setTimer(timeoutMillis, t -> release(id)));
    }
  }
}
