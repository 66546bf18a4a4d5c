package io.llumnix.gateway.scheduling;

import io.vertx.core.Future;

/** Chooses the instances for each request. Implementations are thread-safe. */
public interface Balancer {

  /**
   * Leases instances for {@code request}, never one it must avoid. Fails with an
   * {@link io.llumnix.openai.OpenAiError} (503) when none is available.
   */
  Future<Lease> lease(LeaseRequest request);

  /** Stops background work (keepalive, reports). */
  default void close() {}
}
