package io.llumnix.local;

import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.api.InProcessScheduler;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The cluster's scheduler as its gateways call it in process: whichever server runs now, so a
 * scheduler stopped and started again (as the failure tests do) is the one called; the stopped
 * one refuses, as its closed port would.
 */
final class CurrentScheduler implements InProcessScheduler {

  private final SchedulerEndpoint endpoint;
  private final Supplier<SchedulerServer> current;

  CurrentScheduler(SchedulerEndpoint endpoint, Supplier<SchedulerServer> current) {
    this.endpoint = endpoint;
    this.current = current;
  }

  @Override
  public SchedulerEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public Context context() {
    return current.get().eventLoopContext();
  }

  @Override
  public Future<Outcome> schedule(SchedulingRequest request, BooleanSupplier abandoned) {
    return current.get().schedule(request, abandoned);
  }

  @Override
  public Future<Outcome> release(SchedulingRequest request) {
    return current.get().release(request);
  }

  @Override
  public Future<Void> report(List<ReportItem> items) {
    return current.get().report(items);
  }
}
