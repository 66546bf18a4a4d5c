package io.llumnix.gateway.forward;

import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.scheduler.api.SchedulingMode;
import io.vertx.core.http.HttpClient;

/**
 * The neutral forwarder: one instance does both phases. The engine request goes to it as
 * admitted, and its stream is decoded as it arrives.
 */
public final class NeutralForwarder implements Forwarder {

  /** Its name in {@link Forwarders}. */
  public static final String NAME = "neutral";

  private final HttpClient engines;

  public NeutralForwarder(HttpClient engines) {
    this.engines = engines;
  }

  @Override
  public SchedulingMode mode() {
    return SchedulingMode.NEUTRAL;
  }

  @Override
  public Forwarding forward(AdmittedRequest request, Lease lease, ForwardListener listener) {
    return new EngineCall(engines, request, lease.instance())
        .stream(request.engineBody(), listener);
  }
}
