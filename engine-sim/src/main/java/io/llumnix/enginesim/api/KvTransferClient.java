package io.llumnix.enginesim.api;

import io.llumnix.openai.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * The decode side of the simulated KV transfer: asks a prefill engine's KV-transfer port for a
 * request's KV ({@link KvTransferRoutes}). Every failure (unreachable, rejected, timed out) ends
 * the returned future with an {@link OpenAiError}, so no request waits forever.
 */
final class KvTransferClient {

  /** One transfer in flight; {@link #cancel()} tells the prefill engine to stop. */
  static final class Transfer {
    private final Promise<Long> result = Promise.promise();
    private @Nullable HttpClientRequest request;
    private long timer = -1;

    /** Simulated nanoseconds the transfer takes, once the prefill engine has the KV. */
    Future<Long> result() {
      return result.future();
    }

    void cancel() {
      HttpClientRequest r = request;
      if (r != null) {
        r.reset();
      }
      result.tryFail(OpenAiError.of(500, "KV transfer cancelled"));
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final long timeoutMillis;

  KvTransferClient(Vertx vertx, HttpClient client, long timeoutMillis) {
    this.vertx = vertx;
    this.client = client;
    this.timeoutMillis = timeoutMillis;
  }

  /** Fetches the blocks that a finished prefill request holds on {@code host:port}. */
  Transfer pull(String host, int port, String requestId) {
    return call(host, port, "/kv/pull", new JsonObject().put("request_id", requestId));
  }

  /** Has {@code host:port} compute the prefill of {@code prompt} and push its KV here. */
  Transfer prefill(String host, int port, String requestId, int[] prompt) {
    JsonArray ids = new JsonArray();
    for (int id : prompt) {
      ids.add(id);
    }
    return call(host, port, "/kv/prefill",
        new JsonObject().put("request_id", requestId).put("prompt_token_ids", ids));
  }

  /**
   * Tells {@code host:port} that the request no longer wants the KV it is sending, so it frees
   * the blocks now; best effort (the prefill engine's hold timeout frees them otherwise).
   */
  void abort(String host, int port, String requestId) {
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
            .setURI("/kv/abort").putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(new JsonObject().put("request_id", requestId).encode()))
        .compose(response -> response.body());
  }

  private Transfer call(String host, int port, String path, JsonObject body) {
    Transfer transfer = new Transfer();
    String peer = host + ":" + port;
    transfer.timer = vertx.setTimer(timeoutMillis, t -> {
      HttpClientRequest r = transfer.request;
      if (r != null) {
        r.reset();
      }
      transfer.result.tryFail(OpenAiError.of(500, "KV transfer from " + peer + " timed out after "
          + timeoutMillis + " ms"));
    });
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
            .setURI(path).putHeader("Content-Type", "application/json"))
        .compose(request -> {
          transfer.request = request;
          return request.send(Buffer.buffer(body.encode()));
        })
        .compose(response -> response.body().map(b -> {
          if (response.statusCode() == 200) {
            return b.toJsonObject().getLong("transfer_nanos");
          }
          throw OpenAiError.of(response.statusCode() < 500 ? response.statusCode() : 500,
              "KV transfer from " + peer + " failed: " + message(b));
        }))
        .onComplete(ar -> {
          vertx.cancelTimer(transfer.timer);
          if (ar.succeeded()) {
            transfer.result.tryComplete(ar.result());
          } else if (ar.cause() instanceof OpenAiError e) {
            transfer.result.tryFail(e);
          } else {
            transfer.result.tryFail(OpenAiError.of(500, "KV transfer from " + peer + " failed: "
                + ar.cause().getMessage()));
          }
        });
    return transfer;
  }

  private static String message(Buffer body) {
    try {
      JsonObject error = body.toJsonObject().getJsonObject("error");
      return error == null ? body.toString() : error.getString("message");
    } catch (RuntimeException e) {
      return body.toString();
    }
  }
}
