package io.llumnix.gateway.forward;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.relay.EngineStream;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.openai.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.jspecify.annotations.Nullable;

/**
 * The neutral forwarder: one instance does both phases. The request goes to its
 * {@code /v1/completions} with the client's headers (so an engine with {@code --api-key} works
 * behind the gateway), and the engine's stream is decoded as it arrives. Status 5xx and
 * transport failures may be retried elsewhere; 4xx answers are the client's to see.
 */
public final class NeutralForwarder implements Forwarder {

  /** Its name in {@link Forwarders}. */
  public static final String NAME = "neutral";

  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");

  private final HttpClient engines;

  public NeutralForwarder(HttpClient engines) {
    this.engines = engines;
  }

  @Override
  public Forwarding forward(AdmittedRequest request, Lease lease, ForwardListener listener) {
    LlmInstance target = lease.instance();
    Call call = new Call(target.endpoint(), listener);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setHost(target.host()).setPort(target.port()).setURI("/v1/completions")
        .setHeaders(HttpHeaders.headers().addAll(request.headers()))
        .putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON)
        .putHeader(X_REQUEST_ID, request.id());
    engines.request(options)
        .compose(engine -> {
          call.request = engine;
          if (call.over) { // the client left while the connection was being made
            engine.reset();
          }
          return engine.send(request.engineBody());
        })
        .onSuccess(call::answered)
        .onFailure(e -> call.failed(502, "network_error",
            "engine " + target.endpoint() + " failed: " + e.getMessage(), true, null));
    return call;
  }

  /** One engine request; callbacks arrive on the gateway's event loop. */
  private static final class Call implements Forwarding {
    private final String endpoint;
    private final ForwardListener listener;
    private @Nullable HttpClientRequest request;
    private boolean over;

    Call(String endpoint, ForwardListener listener) {
      this.endpoint = endpoint;
      this.listener = listener;
    }

    @Override
    public void abort() {
      over = true;
      HttpClientRequest engine = request;
      if (engine != null) {
        engine.reset(); // the engine aborts the request and frees its blocks
      }
    }

    void answered(HttpClientResponse response) {
      if (response.statusCode() != 200) {
        int status = response.statusCode();
        response.body().onComplete(body -> {
          Buffer text = body.succeeded() ? body.result() : Buffer.buffer();
          failed(status, Integer.toString(status), "engine " + endpoint + ": " + text,
              status >= 500, text);
        });
        return;
      }
      EngineStream stream = new EngineStream((chunk, data) -> {
        if (!over) {
          listener.onChunk(chunk, data);
        }
      });
      response.handler(stream::feed);
      response.exceptionHandler(e -> failed(502, "network_error",
          "engine " + endpoint + " broke the stream: " + e.getMessage(), true, null));
      response.endHandler(ignored -> {
        if (!over) {
          over = true;
          listener.onEnd();
        }
      });
    }

    void failed(int status, String cause, String message, boolean retryable,
        @Nullable Buffer body) {
      if (!over) {
        over = true;
        listener.onFailure(new ForwardListener.Failure(status, cause, message, endpoint,
            retryable, body));
      }
    }
  }
}
