package io.llumnix.scheduler.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A scheduler running in the caller's own process (as in {@code llumnix local}), reached
 * without a socket: the same answers its {@code /schedule}, {@code /release} and
 * {@code /report} give, taken and given as records. {@link SchedulerClient} calls it in place
 * of HTTP for the one endpoint it serves; the keepalive stays a WebSocket, so registration,
 * the service token and failover behave as they do between processes.
 *
 * <p>Why: a round trip through both HTTP stacks costs far more than the decision once the
 * event loop has slept between calls, and in one process it buys nothing.
 *
 * <p>{@link #schedule}, {@link #release} and {@link #report} are called on the scheduler's
 * event loop ({@link #context()}) and answer there; while the scheduler is not running, they
 * fail as a refused connection would.
 */
public interface InProcessScheduler {

  /** The endpoint gateways name for this scheduler: calls to it go in process. */
  SchedulerEndpoint endpoint();

  /** The event loop the scheduler's state lives on. */
  Context context();

  /**
   * As {@code POST /schedule}.
   *
   * @param abandoned true once the caller stopped waiting (a lookup under way may stop)
   */
  Future<Outcome> schedule(SchedulingRequest request, BooleanSupplier abandoned);

  /** As {@code POST /release}. */
  Future<Outcome> release(SchedulingRequest request);

  /** As {@code POST /report}. */
  Future<Void> report(List<ReportItem> items);
}
