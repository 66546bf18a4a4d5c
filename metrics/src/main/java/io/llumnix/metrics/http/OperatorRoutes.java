package io.llumnix.metrics.http;

import io.llumnix.metrics.ComponentMetrics;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/**
 * Adds {@code GET /metrics} (Prometheus text 0.0.4, or OpenMetrics when the {@code Accept} header
 * asks for it) and {@code GET /healthz} (200 {@code ok} while healthy, else 503) to a router.
 */
public final class OperatorRoutes {

  private OperatorRoutes() {}

  /** Mounts both routes on {@code router}; {@code healthy} decides the health answer. */
  public static void mount(Router router, ComponentMetrics metrics, BooleanSupplier healthy) {
    router.get("/metrics").handler(metricsHandler(metrics));
    router.get("/healthz").handler(ctx -> {
      boolean ok = healthy.getAsBoolean();
      ctx.response()
          .setStatusCode(ok ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end(ok ? "ok" : "unhealthy");
    });
  }

  /** A handler that serves {@code metrics}; the scrape runs off the event loop. */
  public static Handler<RoutingContext> metricsHandler(ComponentMetrics metrics) {
    return ctx -> {
      String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
      ctx.vertx().executeBlocking(() -> Buffer.buffer(metrics.scrape(accept)), false)
          .onSuccess(body -> ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, metrics.contentType(accept))
              .end(body))
          .onFailure(ctx::fail);
    };
  }
}
