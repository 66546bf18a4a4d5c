package io.llumnix.gateway.forward;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.relay.EngineStream;
import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.MediaTypes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One {@code POST /v1/completions} to one engine, with the client's headers (so an engine with
 * {@code --api-key} works behind the gateway) and the request's id; what every forwarder is
 * made of. Its answer is streamed to a listener, read whole, or drained. Status 5xx and
 * transport failures may be retried elsewhere; 4xx answers are the client's to see. Callbacks
 * arrive on the gateway's event loop; not thread-safe.
 */
final class EngineCall implements Forwarder.Forwarding {

  private static final String NETWORK_ERROR = ForwardListener.Failure.NETWORK_ERROR;
  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");

  /** Why a call read whole or drained failed. */
  static final class Failed extends RuntimeException {
    final ForwardListener.Failure failure;

    Failed(ForwardListener.Failure failure) {
      super(failure.message(), null, false, false);
      this.failure = failure;
    }
  }

  private final HttpClient engines;
  private final AdmittedRequest request;
  private final LlmInstance target;
  private @Nullable HttpClientRequest engine;
  private boolean over;

  EngineCall(HttpClient engines, AdmittedRequest request, LlmInstance target) {
    this.engines = engines;
    this.request = request;
    this.target = target;
  }

  /** Sends {@code body}; the listener hears the stream's chunks, then its end or a failure. */
  EngineCall stream(Buffer body, ForwardListener listener) {
    send(body, response -> {
      EngineStream stream = new EngineStream((chunk, data) -> {
        if (!over) {
          listener.onChunk(chunk, data);
        }
      });
      response.handler(piece -> {
        stream.feed(piece);
        if (!over && listener.clientBusy()) {
          response.pause();
          listener.whenWritable(response::resume);
        }
      });
      response.exceptionHandler(e -> fail(listener, broke(e)));
      response.endHandler(ignored -> {
        if (!over) {
          over = true;
          listener.onEnd();
        }
      });
    }, failure -> fail(listener, failure));
    return this;
  }

  /** Sends {@code body} and reads the whole answer; fails with {@link Failed}. */
  Future<Buffer> whole(Buffer body) {
    Promise<Buffer> result = Promise.promise();
    send(body, response -> response.body().onComplete(ar -> {
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(new Failed(broke(ar.cause())));
      }
    }), failure -> result.tryFail(new Failed(failure)));
    return result.future();
  }

  /**
   * Sends {@code body} and reads its stream to the end without relaying it: done when the
   * engine finished, failed ({@link Failed}) on an error event or a stream cut short.
   */
  Future<Void> drain(Buffer body) {
    Promise<Void> result = Promise.promise();
    boolean[] finished = {false};
    stream(body, new ForwardListener() {
      @Override
      public void onChunk(CompletionChunk chunk, String data) {
        if (chunk.isError()) {
          over = true;
          result.tryFail(new Failed(Failure.errorEvent(chunk, target.endpoint())));
        } else if (chunk.finishReason != null) {
          finished[0] = true;
        }
      }

      @Override
      public void onEnd() {
        if (finished[0]) {
          result.tryComplete();
        } else {
          result.tryFail(new Failed(Failure.endedEarly(target.endpoint())));
        }
      }

      @Override
      public void onFailure(Failure failure) {
        result.tryFail(new Failed(failure));
      }
    });
    return result.future();
  }

  @Override
  public void abort() {
    over = true;
    HttpClientRequest sent = engine;
    if (sent != null) {
      sent.reset(); // the engine aborts the request and frees its blocks
    }
  }

  private void send(Buffer body, Consumer<HttpClientResponse> on200,
      Consumer<ForwardListener.Failure> onFailure) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setHost(target.host()).setPort(target.port()).setURI("/v1/completions")
        .setHeaders(HttpHeaders.headers().addAll(request.headers()))
        .putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON)
        .putHeader(X_REQUEST_ID, request.id());
    engines.request(options)
        .compose(sent -> {
          engine = sent;
          if (over) { // aborted while the connection was being made
            sent.reset();
          }
          return sent.send(body);
        })
        .onSuccess(response -> {
          if (response.statusCode() == 200) {
            on200.accept(response);
            return;
          }
          int status = response.statusCode();
          response.body().onComplete(text -> {
            Buffer error = text.succeeded() ? text.result() : Buffer.buffer();
            onFailure.accept(new ForwardListener.Failure(status, Integer.toString(status),
                "engine " + target.endpoint() + ": " + error, target.endpoint(), status >= 500,
                error));
          });
        })
        .onFailure(e -> onFailure.accept(new ForwardListener.Failure(502, NETWORK_ERROR,
            "engine " + target.endpoint() + " failed: " + e.getMessage(), target.endpoint(),
            true, null)));
  }

  private ForwardListener.Failure broke(Throwable e) {
    return new ForwardListener.Failure(502, NETWORK_ERROR, "engine " + target.endpoint()
        + " broke the stream: " + e.getMessage(), target.endpoint(), true, null);
  }

  private void fail(ForwardListener listener, ForwardListener.Failure failure) {
    if (!over) {
      over = true;
      listener.onFailure(failure);
    }
  }
}
