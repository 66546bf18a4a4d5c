package io.llumnix.scheduler;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;

/**
 * What the scheduler's HTTP API drives: lite mode ({@link SchedulingService}, its own counts)
 * or full mode ({@link FullModeSchedulingService}, the CMS). Runs on the scheduler's event loop.
 */
public interface Scheduling {

  /** Starts background work (full mode's CMS loops) on the caller's context. */
  default void start(Vertx vertx) {}

  /** Stops background work. */
  default void stop() {}

  SchedulingService.Outcome schedule(SchedulingRequest request);

  SchedulingService.Outcome release(SchedulingRequest request);

  /** Applies {@code /report} items; returns how many applied. */
  int report(JsonArray items);

  /** Counts a request that could not even be parsed. */
  void invalidRequest();

  /** Discovery found or updated an instance. */
  void up(LlmInstance instance);

  /** Discovery lost an instance. */
  void down(String instanceId);

  /** A gateway's keepalive was accepted. */
  void registerGateway(String gatewayId);

  /** A gateway's keepalive was dropped; returns how many of its requests were released. */
  int gatewayGone(String gatewayId);
}
