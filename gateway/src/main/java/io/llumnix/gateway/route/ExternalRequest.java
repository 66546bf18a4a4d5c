package io.llumnix.gateway.route;

import io.llumnix.gateway.route.ExternalCall.Refused;
import io.llumnix.gateway.route.ExternalCall.RefusedException;
import io.llumnix.gateway.route.RateLimitRetryQueue.Result;
import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.OpenAiError;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One request's way through external servers: its route's entry if it has one, then each
 * fallback entry in config order (the route's own URL skipped), until one answers. A fallback
 * answered 429 goes to the retry queue when there is one; any other failed fallback waits
 * min(10 ms · 2^(n−1), 100 ms) before the next (n: fallbacks tried). Every fallback try counts
 * in {@code request_fallback_total} with its outcome. When every entry failed, the client gets
 * the last server's error as it was sent (502 when the last one was unreachable).
 *
 * <p>Runs on the gateway's event loop; ends exactly once, with the status the client got.
 */
final class ExternalRequest {

  private final Routing routing;
  private final RouteTable table;
  private final HttpServerResponse response;
  private final RawRequest request;
  private final IntConsumer ended;
  private @Nullable String skipped;
  private int nextFallback;
  private int fallbacksTried;
  private @Nullable Refused last;
  private @Nullable ExternalCall call;
  private boolean done;

  ExternalRequest(Routing routing, RouteTable table, HttpServerResponse response,
      RawRequest request, IntConsumer ended) {
    this.routing = routing;
    this.table = table;
    this.response = response;
    this.request = request;
    this.ended = ended;
  }

  /** Starts with {@code primary}, or with the first fallback when it is null. */
  void start(@Nullable RouteEntry primary) {
    if (response.closed()) {
      clientLeft();
      return;
    }
    response.closeHandler(ignored -> clientLeft());
    if (primary == null) {
      nextFallback();
      return;
    }
    skipped = primary.baseUrl();
    send(primary, ar -> {
      if (ar.failed()) {
        Refused refused = refusal(ar);
        last = refused;
        if (!(refused.status() == 429 && !hasNextFallback() && retryLater(primary))) {
          nextFallback();
        }
      }
    });
  }

  private void nextFallback() {
    if (done) {
      return;
    }
    RouteEntry entry = null;
    while (nextFallback < table.fallbacks().size() && entry == null) {
      RouteEntry candidate = table.fallbacks().get(nextFallback++);
      if (!candidate.baseUrl().equals(skipped)) {
        entry = candidate;
      }
    }
    if (entry == null) {
      giveUp();
      return;
    }
    RouteEntry fallback = entry;
    fallbacksTried++;
    send(fallback, ar -> {
      if (ar.succeeded()) {
        routing.fellBack(request.model(), "success");
        return;
      }
      Refused refused = refusal(ar);
      last = refused;
      routing.fellBack(request.model(), refused.label());
      if (refused.status() == 429 && retryLater(fallback)) {
        return;
      }
      if (!hasNextFallback()) {
        giveUp(); // at once: a wait helps only a next try
        return;
      }
      long backoff = Math.min(10L << (fallbacksTried - 1), 100);
      routing.clock().setTimer(backoff, this::nextFallback);
    });
  }

  private boolean hasNextFallback() {
    for (int i = nextFallback; i < table.fallbacks().size(); i++) {
      if (!table.fallbacks().get(i).baseUrl().equals(skipped)) {
        return true;
      }
    }
    return false;
  }

  /** Hands a rate-limited request to the retry queue; false when there is none or it is full. */
  private boolean retryLater(RouteEntry entry) {
    RateLimitRetryQueue queue = routing.retryQueue();
    return queue != null && queue.offer(
        tried -> send(entry, ar -> {
          if (ar.succeeded()) {
            tried.accept(Result.ANSWERED);
            return;
          }
          last = refusal(ar);
          tried.accept(last.status() == 429 ? Result.RATE_LIMITED : Result.FAILED);
        }),
        () -> done,
        result -> {
          if (result == Result.ANSWERED) {
            routing.retrySucceeded(request.model());
          } else {
            nextFallback(); // no backoff: the queue has waited already
          }
        });
  }

  private void send(RouteEntry entry, Consumer<AsyncResult<Integer>> answered) {
    if (done) {
      return;
    }
    ExternalCall next = new ExternalCall(routing.client(), entry, request, response);
    call = next;
    next.start(this::finish).onComplete(ar -> {
      if (!done) {
        answered.accept(ar);
      }
    });
  }

  private static Refused refusal(AsyncResult<Integer> ar) {
    return ar.cause() instanceof RefusedException e ? e.refused : Refused.network(ar.cause());
  }

  private void giveUp() {
    Refused failure = last;
    if (failure != null && failure.status() >= 0) {
      response.setStatusCode(failure.status()).putHeader(HttpHeaders.CONTENT_TYPE,
          failure.contentType() == null ? MediaTypes.JSON : failure.contentType())
          .end(failure.body());
      finish(failure.status());
      return;
    }
    OpenAiError error = failure == null
        ? OpenAiError.of(404, "no route for model '" + request.model() + "'")
        : OpenAiError.of(502, "no external endpoint answered: " + failure.body());
    error.send(response);
    finish(error.status());
  }

  private void clientLeft() {
    ExternalCall current = call;
    if (current != null) {
      current.abort();
    }
    finish(499);
  }

  private void finish(int status) {
    if (!done) {
      done = true;
      ended.accept(status);
    }
  }
}
