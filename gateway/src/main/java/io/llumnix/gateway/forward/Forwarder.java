package io.llumnix.gateway.forward;

import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.scheduler.api.SchedulingMode;

/**
 * A way of reaching engines with an admitted request: the neutral one sends it to the one
 * instance its lease holds; the prefill/decode protocols send each side its part. It reports
 * what comes back to the listener, and nothing else: retries, the client's answer and the
 * metrics belong to the request's pipeline. Add one as a class and a line in
 * {@link Forwarders}.
 */
public interface Forwarder {

  /** How its requests are scheduled: the instances a lease must hold for it. */
  SchedulingMode mode();

  /**
   * Sends {@code request} to the instances of {@code lease}; the listener hears the chunks of
   * the stream the client gets, then exactly one of its end or its failure.
   *
   * @return a handle that aborts the engine requests when the client leaves
   */
  Forwarding forward(AdmittedRequest request, Lease lease, ForwardListener listener);

  /** An engine request under way. */
  interface Forwarding {
    /** Aborts it: its connection is reset, which vLLM and the simulator treat as an abort. */
    void abort();
  }
}
