package io.llumnix.gateway.forward;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.openai.CompletionChunk;
import io.llumnix.scheduler.api.SchedulingMode;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;

/**
 * Prefill/decode over vLLM's KV-transfer connector ({@code --pd-disagg-protocol vllm-kvt}).
 *
 * <ul>
 *   <li>pd_batch: one request, to the decode instance, whose {@code kv_transfer_params} name
 *       the prefill instance's KV-transfer address ({@code remote_host}, {@code remote_port}:
 *       its aux ip and port); the decode engine has the prefill computed there and streams.
 *   <li>pd_staged ({@code --separate-pd-scheduling}): the prefill instance gets a copy with
 *       {@code max_tokens=1} and {@code do_remote_decode=true}, whose stream is drained; then
 *       the decode stage is scheduled, and the decode instance gets the request with the
 *       prefill instance's address and {@code do_remote_prefill=true}, and streams.
 * </ul>
 *
 * A decode engine that answers an error before its stream starts could not have the prefill
 * done: the prefill instance is the one a retry avoids.
 */
public final class VllmKvtForwarder implements Forwarder {

  /** Its name in {@link Forwarders}: the value of {@code --pd-disagg-protocol}. */
  public static final String NAME = "vllm-kvt";

  private final HttpClient engines;
  private final SchedulingMode mode;

  public VllmKvtForwarder(HttpClient engines, boolean staged) {
    this.engines = engines;
    this.mode = staged ? SchedulingMode.PD_STAGED : SchedulingMode.PD_BATCH;
  }

  @Override
  public SchedulingMode mode() {
    return mode;
  }

  @Override
  public Forwarding forward(AdmittedRequest request, Lease lease, ForwardListener listener) {
    LlmInstance prefill = PdForwarding.prefill(lease);
    PdForwarding forwarding = new PdForwarding(listener);
    if (mode == SchedulingMode.PD_BATCH) {
      decode(request, lease, prefill, forwarding, listener);
      return forwarding;
    }
    forwarding.step(new EngineCall(engines, request, prefill))
        .drain(request.engineBodyWith(fields -> fields.put("max_tokens", 1)
            .put("kv_transfer_params", params(fields).put("do_remote_decode", true))))
        .compose(ignored -> PdForwarding.decode(lease, mode))
        .onSuccess(ignored -> {
          if (!forwarding.over()) {
            decode(request, lease, prefill, forwarding, listener);
          }
        })
        .onFailure(forwarding::fail);
    return forwarding;
  }

  private void decode(AdmittedRequest request, Lease lease, LlmInstance prefill,
      PdForwarding forwarding, ForwardListener listener) {
    LlmInstance decode = lease.generating();
    ForwardListener blaming = new ForwardListener() {
      @Override
      public void onChunk(CompletionChunk chunk, String data) {
        listener.onChunk(chunk, data);
      }

      @Override
      public void onEnd() {
        listener.onEnd();
      }

      @Override
      public boolean clientBusy() {
        return listener.clientBusy();
      }

      @Override
      public void whenWritable(Runnable resume) {
        listener.whenWritable(resume);
      }

      @Override
      public void onFailure(Failure failure) {
        boolean prefillSide = failure.engineBody() != null && failure.status() >= 500;
        listener.onFailure(!prefillSide ? failure : new Failure(failure.status(),
            failure.cause(), failure.message() + " (prefill instance " + prefill.endpoint()
            + ")", prefill.endpoint(), true, failure.engineBody()));
      }
    };
    forwarding.step(new EngineCall(engines, request, decode))
        .stream(request.engineBodyWith(fields -> {
          JsonObject params = params(fields).put("remote_host", prefill.auxIp())
              .put("remote_port", prefill.auxPort());
          if (mode == SchedulingMode.PD_STAGED) {
            params.put("do_remote_prefill", true);
          }
          fields.put("kv_transfer_params", params);
        }), blaming);
  }

  /** The request's own {@code kv_transfer_params}, or new ones. */
  private static JsonObject params(JsonObject fields) {
    return fields.getValue("kv_transfer_params") instanceof JsonObject own ? own
        : new JsonObject();
  }
}
