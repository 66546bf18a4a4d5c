package io.llumnix.scheduler;

import io.llumnix.openai.OpenAiError;
import io.llumnix.scheduler.api.ServiceToken;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets a request on to an internal route only when its {@code Authorization} header carries the
 * {@code --service-token}; refuses it with 401 and OpenAI's error JSON otherwise. Mounted before
 * the body is read, so a refused caller cannot make the scheduler buffer a body, and before a
 * {@code /keepalive} upgrade, so a refused gateway gets no socket.
 */
final class ServiceTokenCheck implements Handler<RoutingContext> {

  private static final System.Logger logger =
      System.getLogger(ServiceTokenCheck.class.getName());
  /** A misconfigured gateway retries every second: one line a minute says enough. */
  private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

  private final ServiceToken token;
  // Handlers run on the scheduler verticle's one event loop: no synchronisation.
  private long refused;
  private long loggedAtNanos;
  private boolean logged;

  ServiceTokenCheck(ServiceToken token) {
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (token.admits(authorization)) {
      ctx.next();
      return;
    }
    refused++;
    long now = System.nanoTime();
    if (!logged || now - loggedAtNanos >= LOG_INTERVAL_NANOS) {
      logged = true;
      loggedAtNanos = now;
      logger.log(System.Logger.Level.WARNING, "refused " + ctx.request().path() + " from "
          + ctx.request().remoteAddress() + ": " + (authorization == null ? "no" : "a wrong")
          + " service token (" + refused + " refused so far); the gateway's --service-token "
          + "must be the scheduler's");
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    OpenAiError.of(401, authorization == null
        ? "missing service token: send Authorization: Bearer <--service-token>"
        : "invalid service token").send(ctx.response());
  }
}
