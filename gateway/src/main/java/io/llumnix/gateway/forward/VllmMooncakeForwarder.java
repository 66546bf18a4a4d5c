package io.llumnix.gateway.forward;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.scheduler.api.SchedulingMode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Prefill/decode over vLLM's Mooncake (or NIXL) connector
 * ({@code --pd-disagg-protocol vllm-mooncake}), in both scheduling modes: the prefill
 * instance gets a copy with {@code max_tokens=1}, {@code stream=false}, no
 * {@code stream_options} and the null-valued {@code kv_transfer_params} that ask it to keep
 * the KV for a remote decode; the {@code kv_transfer_params} of its JSON answer (where the KV
 * is) go into the request, which the decode instance (chosen with the prefill, or scheduled
 * now under pd_staged) streams.
 */
public final class VllmMooncakeForwarder implements Forwarder {

  /** Its name in {@link Forwarders}: the value of {@code --pd-disagg-protocol}. */
  public static final String NAME = "vllm-mooncake";

  private final HttpClient engines;
  private final SchedulingMode mode;

  public VllmMooncakeForwarder(HttpClient engines, boolean staged) {
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
    forwarding.step(new EngineCall(engines, request, prefill))
        .whole(request.engineBodyWith(fields -> {
          fields.put("max_tokens", 1).put("stream", false)
              .put("kv_transfer_params", new JsonObject().put("do_remote_decode", true)
                  .put("do_remote_prefill", false).putNull("remote_engine_id")
                  .putNull("remote_block_ids").putNull("remote_host").putNull("remote_port"));
          fields.remove("stream_options");
        }))
        .compose(answer -> transferParams(answer, prefill))
        .compose(params -> PdForwarding.decode(lease, mode).map(decode -> {
          if (!forwarding.over()) {
            forwarding.step(new EngineCall(engines, request, decode)).stream(
                request.engineBodyWith(fields -> fields.put("kv_transfer_params", params)),
                listener);
          }
          return decode;
        }))
        .onFailure(forwarding::fail);
    return forwarding;
  }

  /** The {@code kv_transfer_params} of the prefill engine's answer (null when it sent none). */
  private static Future<Object> transferParams(Buffer answer, LlmInstance prefill) {
    try {
      Object params = new JsonObject(answer).getValue("kv_transfer_params");
      return Future.succeededFuture(params);
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new EngineCall.Failed(new ForwardListener.Failure(502,
          "network_error", "prefill engine " + prefill.endpoint() + " answered no JSON object: "
          + e.getMessage(), prefill.endpoint(), true, null)));
    }
  }
}
