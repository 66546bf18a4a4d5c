package io.llumnix.scheduler.rescheduling;

import io.llumnix.cms.CmsStore;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.llumnix.runtime.VertxClock;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.cms.CmsReader;
import io.llumnix.scheduler.cms.CmsView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The standalone rescheduler ({@code --standalone-rescheduling-mode}): a CMS reader, the
 * {@link Rescheduler} over its view, and an HTTP server with only {@code /metrics} and
 * {@code /healthz} (the reference's standalone rescheduler serves nothing, so its counters
 * cannot be scraped). No scheduling API: every other path is 404. One verticle, so the view
 * and the rounds share one event loop.
 *
 * <pre>{@code
 * vertx.deployVerticle(new ReschedulerServer(config, metrics, cmsStore, null));
 * }</pre>
 */
public final class ReschedulerServer extends VerticleBase {

  private final SchedulerConfig config;
  private final ComponentMetrics metrics;
  private final Function<Vertx, CmsStore> cmsStore;
  private final @Nullable Clock injectedClock;
  private @Nullable CmsReader reader;
  private @Nullable Rescheduler rescheduler;
  private @Nullable HttpServer server;

  /**
   * Creates the server.
   *
   * @param config full mode's settings: the CMS intervals, staleness and failover domain of
   *     {@code policyConfig}, and {@code rescheduling}
   * @param cmsStore opens the CMS on the server's Vert.x
   * @param clock the clock to run on; null for the real one
   * @throws IllegalArgumentException in lite mode, which has no CMS to reschedule from
   */
  public ReschedulerServer(SchedulerConfig config, ComponentMetrics metrics,
      Function<Vertx, CmsStore> cmsStore, @Nullable Clock clock) {
    if (!config.fullMode()) {
      throw new IllegalArgumentException("--standalone-rescheduling-mode needs full mode "
          + "(--enable-full-mode-scheduling)");
    }
    this.config = config;
    this.metrics = metrics;
    this.cmsStore = cmsStore;
    this.injectedClock = clock;
  }

  @Override
  public Future<?> start() {
    Clock clock = injectedClock != null ? injectedClock : VertxClock.of(vertx);
    // No local account: this process dispatches nothing, so there is nothing to count.
    CmsView view = new CmsView(metrics, false, config.accountStalenessSeconds(), false, clock);
    reader = new CmsReader(view, cmsStore.apply(vertx), config.cmsIntervals(), clock, metrics);
    rescheduler = new Rescheduler(view, config.rescheduling(), config.policyConfig(), clock,
        metrics);
    reader.start();
    rescheduler.start();
    Router router = Router.router(vertx);
    OperatorRoutes.mount(router, metrics, () -> true);
    router.route().last().handler(ctx -> ctx.response().setStatusCode(404)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end("Not found"));
    return vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    if (rescheduler != null) {
      rescheduler.stop();
    }
    if (reader != null) {
      reader.stop();
    }
    return Future.succeededFuture();
  }

  /** The port listened on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? config.port() : s.actualPort();
  }
}
