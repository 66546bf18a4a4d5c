package io.llumnix.gateway.forward;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.openai.OpenAiError;
import io.llumnix.scheduler.api.SchedulingMode;
import io.vertx.core.Future;
import org.jspecify.annotations.Nullable;

/**
 * One prefill/decode request under way, step after step: the engine call of the current step,
 * and whether the client left (then no further step starts and the current call is aborted,
 * so each side frees its blocks). Runs on the gateway's event loop.
 */
final class PdForwarding implements Forwarder.Forwarding {

  private final ForwardListener listener;
  private @Nullable EngineCall current;
  private boolean over;

  PdForwarding(ForwardListener listener) {
    this.listener = listener;
  }

  /** Makes {@code call} the current step. */
  EngineCall step(EngineCall call) {
    current = call;
    if (over) {
      call.abort();
    }
    return call;
  }

  /** Whether the request is over (aborted, or failed): no step may start. */
  boolean over() {
    return over;
  }

  @Override
  public void abort() {
    over = true;
    EngineCall call = current;
    if (call != null) {
      call.abort();
    }
  }

  /** Ends the request with why a step failed, unless it is over already. */
  void fail(Throwable cause) {
    if (over) {
      return;
    }
    over = true;
    listener.onFailure(switch (cause) {
      case EngineCall.Failed failed -> failed.failure;
      case OpenAiError error -> new ForwardListener.Failure(error.status(),
          Integer.toString(error.status()), error.getMessage(), "", false, null);
      default -> new ForwardListener.Failure(502, "network_error", cause.getMessage(), "",
          false, null);
    });
  }

  /** The lease's prefill instance; a prefill/decode lease always holds one. */
  static LlmInstance prefill(Lease lease) {
    LlmInstance prefill = lease.instance(InferType.PREFILL);
    if (prefill == null) {
      throw new IllegalStateException("a prefill/decode lease without a prefill instance: "
          + lease.instances());
    }
    return prefill;
  }

  /** The decode instance: the lease's (pd_batch), or chosen now that the prefill is done. */
  static Future<LlmInstance> decode(Lease lease, SchedulingMode mode) {
    LlmInstance decode = lease.instance(InferType.DECODE);
    if (decode != null) {
      return Future.succeededFuture(decode);
    }
    if (mode == SchedulingMode.PD_STAGED) {
      return lease.scheduleDecode();
    }
    return Future.failedFuture(OpenAiError.of(503, "no available inference worker"));
  }
}
