package io.llumnix.gateway.route;

import io.llumnix.runtime.ProxyHeaders;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Set;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One request proxied to an external server: the client's method, URI, headers and raw body
 * (with {@code Authorization: Bearer <api_key>} when the entry has a key), its answer relayed
 * to the client unchanged as it arrives, with back-pressure. An answer of 400 or more is read
 * whole and not relayed, so the request may still fall back elsewhere.
 *
 * <p>The server has {@value #CONNECT_TIMEOUT_MILLIS} ms to accept the connection and then
 * {@value #IDLE_TIMEOUT_MILLIS} ms between bytes (the reference's 30 s): a slow server fails
 * and may be fallen back from, while a long stream that keeps coming is never cut.
 */
final class ExternalCall {

  static final long CONNECT_TIMEOUT_MILLIS = 3000;
  static final long IDLE_TIMEOUT_MILLIS = 30_000;

  /** The host is the server's own. */
  private static final Set<String> NOT_FORWARDED = Set.of("host");

  /**
   * The server's answer did not reach the client: nothing was written, so another route may
   * take the request.
   *
   * @param status the server's status; -1 when it was not reached or did not answer in time
   * @param body its answer, or the network error's message
   */
  record Refused(int status, Buffer body, @Nullable String contentType) {

    static Refused network(Throwable cause) {
      return new Refused(-1, Buffer.buffer(String.valueOf(cause.getMessage())), null);
    }

    /** The {@code status_code} label of a fallback that ended so. */
    String label() {
      return status < 0 ? "network_error" : Integer.toString(status);
    }
  }

  /** Carries a {@link Refused} through a failed future. */
  static final class RefusedException extends Exception {
    final Refused refused;

    RefusedException(Refused refused) {
      super("refused: " + refused.label(), null, false, false);
      this.refused = refused;
    }
  }

  private final HttpClient client;
  private final RouteEntry entry;
  private final RawRequest request;
  private final HttpServerResponse response;
  private @Nullable HttpClientRequest sent;
  private boolean aborted;

  ExternalCall(HttpClient client, RouteEntry entry, RawRequest request,
      HttpServerResponse response) {
    this.client = client;
    this.entry = entry;
    this.request = request;
    this.response = response;
  }

  /**
   * Sends it. The future fails with a {@link RefusedException} when nothing reached the client;
   * it succeeds with the status once the answer's head went out, and {@code ended} then gets
   * the status again when the whole answer has been relayed, or 502 when the server cut it
   * short (the client's connection is closed, so it cannot mistake it for a whole answer).
   */
  Future<Integer> start(IntConsumer ended) {
    RequestOptions options = new RequestOptions().setMethod(request.method())
        .setAbsoluteURI(entry.url(request.uri())).setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
        .setIdleTimeout(IDLE_TIMEOUT_MILLIS)
        .setHeaders(ProxyHeaders.forwardable(request.headers(), NOT_FORWARDED));
    if (!options.getHeaders().contains("x-request-id")) {
      options.putHeader("X-Request-Id", request.id());
    }
    if (!entry.apiKey().isEmpty()) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + entry.apiKey());
    }
    return client.request(options)
        .compose(outgoing -> {
          sent = outgoing;
          if (aborted) {
            outgoing.reset();
          }
          return outgoing.send(request.body());
        })
        .recover(e -> refused(Refused.network(e)))
        .compose(answer -> answer.statusCode() >= 400
            ? answer.body().recover(e -> refused(Refused.network(e))).compose(body -> refused(
                new Refused(answer.statusCode(), body, answer.getHeader(HttpHeaders.CONTENT_TYPE))))
            : relay(answer, ended));
  }

  /** Stops it: the client left. */
  void abort() {
    aborted = true;
    HttpClientRequest outgoing = sent;
    if (outgoing != null) {
      outgoing.reset();
    }
  }

  private Future<Integer> relay(HttpClientResponse answer, IntConsumer ended) {
    if (aborted || response.closed()) {
      answer.request().reset();
      return refused(Refused.network(new IllegalStateException("the client left")));
    }
    int status = answer.statusCode();
    response.setStatusCode(status);
    response.headers().addAll(ProxyHeaders.forwardable(answer.headers(), Set.of()));
    String length = answer.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      response.setChunked(true);
    }
    answer.pipe().endOnFailure(false).to(response).onComplete(ar -> {
      if (ar.succeeded()) {
        ended.accept(status);
      } else if (!response.closed()) {
        response.reset(); // cut short: the client must not take it for a whole answer
        ended.accept(502);
      }
    });
    return Future.succeededFuture(status);
  }

  private static <T> Future<T> refused(Refused refused) {
    return Future.failedFuture(new RefusedException(refused));
  }
}
