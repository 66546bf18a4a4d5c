package io.llumnix.openai.http;

import io.llumnix.openai.OpenAiError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Every refusal of an HTTP server of ours in OpenAI's error JSON, so a client library always
 * gets an error it can read: an unknown path (404), a known path with the wrong method (405),
 * a request line, header block or body beyond the {@link HttpLimits} (414, 431, 413), a body
 * that does not arrive in time (408), and a handler's failure (its status, else 500).
 */
public final class ErrorRoutes {

  private ErrorRoutes() {}

  /**
   * Puts the limits on {@code router}: first, a check of the header count and the body's
   * deadline on every request; last, the error handlers.
   */
  public static void install(Router router, HttpLimits limits) {
    router.route().order(-1_000_000).handler(ctx -> admit(ctx, limits));
    router.errorHandler(404, ctx -> send(ctx, OpenAiError.notFound("Not found: "
        + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(405, ctx -> send(ctx, OpenAiError.of(405, "Method not allowed: "
        + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(413, ctx -> send(ctx, OpenAiError.of(413,
        "Request body too large: the limit is " + limits.maxBodyBytes() + " bytes")));
    router.errorHandler(400, ctx -> send(ctx, OpenAiError.badRequest(failure(ctx,
        "Bad request"))));
    router.errorHandler(500, ctx -> send(ctx, OpenAiError.of(500, "Internal error")));
  }

  /** The body handler for {@code limits}: the body in memory, up to its size. */
  public static BodyHandler bodyHandler(HttpLimits limits) {
    return BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes());
  }

  /**
   * Answers requests the HTTP decoder refused — a line or headers too long, a malformed head —
   * in OpenAI's error JSON instead of Netty's bare status; the connection closes after.
   */
  public static void invalidRequests(HttpServer server) {
    server.invalidRequestHandler(ErrorRoutes::invalid);
  }

  private static void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    String message = cause == null ? "" : String.valueOf(cause.getMessage());
    OpenAiError error;
    if (message.contains("header")) {
      error = OpenAiError.of(431, "Request headers too large");
    } else if (message.contains("line") || message.contains("URI")) {
      error = OpenAiError.of(414, "Request line too long");
    } else {
      error = OpenAiError.badRequest("Malformed HTTP request");
    }
    error.send(request.response());
  }

  private static void admit(RoutingContext ctx, HttpLimits limits) {
    if (ctx.request().headers().size() > limits.maxHeaderCount()) {
      closeAfter(ctx.request());
      send(ctx, OpenAiError.of(431, "Too many request headers: the limit is "
          + limits.maxHeaderCount()));
      return;
    }
    if (!ctx.request().isEnded()) {
      long timer = ctx.vertx().setTimer(limits.bodyTimeoutMillis(), id -> {
        if (!ctx.request().isEnded() && !ctx.response().ended()) {
          closeAfter(ctx.request());
          send(ctx, OpenAiError.of(408, "Request body not received within "
              + limits.bodyTimeoutMillis() + " ms"));
        }
      });
      ctx.addEndHandler(ignored -> ctx.vertx().cancelTimer(timer));
    }
    ctx.next();
  }

  /**
   * Asks an HTTP/1 client to close the connection after this response (HTTP/2 has no
   * {@code Connection} header: its streams end on their own).
   */
  public static void closeAfter(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_1_1 || request.version() == HttpVersion.HTTP_1_0) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
  }

  private static String failure(RoutingContext ctx, String otherwise) {
    Throwable failure = ctx.failure();
    return failure == null || failure.getMessage() == null ? otherwise : failure.getMessage();
  }

  private static void send(RoutingContext ctx, OpenAiError error) {
    if (!ctx.response().ended() && !ctx.response().closed()) {
      if (ctx.response().headWritten()) {
        error.end(ctx.response());
      } else {
        error.send(ctx.response());
      }
    }
  }
}
