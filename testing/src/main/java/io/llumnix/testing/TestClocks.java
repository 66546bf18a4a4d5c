package io.llumnix.testing;

import io.llumnix.core.time.ManualClock;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;

/** Manual clocks for tests of event-loop components. */
public final class TestClocks {

  private TestClocks() {}

  /**
   * A manual clock at epoch millisecond {@code epochMillis} whose timers run where real Vert.x
   * timers would: on the event loop that set them (or on the advancing thread when set off any
   * loop).
   */
  public static ManualClock onEventLoops(long epochMillis) {
    return ManualClock.at(epochMillis, () -> {
      Context context = Vertx.currentContext();
      Executor direct = Runnable::run;
      return context == null ? direct : task -> context.runOnContext(ignored -> task.run());
    });
  }
}
