package io.llumnix.scheduler;

import io.llumnix.cms.CmsStore;
import io.llumnix.core.instance.InstanceListener;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.llumnix.openai.OpenAiError;
import io.llumnix.runtime.VertxClock;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.api.SchedulingJson;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.cache.PrefixIndex;
import io.llumnix.scheduler.cache.PrefixIndexes;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The scheduler's HTTP server: {@code /schedule}, {@code /release}, {@code /report}, the
 * {@code /keepalive} WebSocket, {@code /healthz} and {@code /metrics}; any other path is 404
 * {@code Not found} (plain text, as the reference). With {@code --service-token} the first four
 * (the internal routes) answer 401 to a caller without it ({@link ServiceTokenCheck}); with
 * {@code --internal-port} they are served on that port only. With
 * {@code --colocated-rescheduling-mode} the rescheduler runs here too, over the same CMS view.
 * One verticle, so all scheduling state lives on one event loop and needs no lock; the service
 * is built on that loop at start. The same calls are public methods for a gateway in this
 * process ({@link io.llumnix.scheduler.api.InProcessScheduler}), called on that loop.
 *
 * <pre>{@code
 * SchedulerServer server = new SchedulerServer(SchedulerConfig.builder().fullMode(false)
 *     .build(), metrics, null, null);
 * vertx.deployVerticle(server);
 * }</pre>
 */
public final class SchedulerServer extends VerticleBase implements InstanceListener {

  private static final System.Logger logger = System.getLogger(SchedulerServer.class.getName());
  /** The routes gateways call; {@code --service-token} and {@code --internal-port} cover them. */
  static final List<String> INTERNAL_PATHS =
      List.of("/schedule", "/release", "/report", Keepalive.PATH);

  private final SchedulerConfig config;
  private final ComponentMetrics metrics;
  private final @Nullable Function<Vertx, CmsStore> cmsStore;
  private final @Nullable Clock injectedClock;
  private @Nullable SchedulingService service;
  private @Nullable HttpServer server;
  private @Nullable HttpServer internalServer;
  private volatile boolean draining;
  private volatile boolean serving;
  private Clock clock;

  /**
   * Creates the server.
   *
   * @param cmsStore full mode: opens the CMS on the server's Vert.x (null in lite mode)
   * @param clock the clock to run on; null for the real one
   */
  public SchedulerServer(SchedulerConfig config, ComponentMetrics metrics,
      @Nullable Function<Vertx, CmsStore> cmsStore, @Nullable Clock clock) {
    if (config.fullMode() && cmsStore == null) {
      throw new IllegalArgumentException("full mode needs a CMS store");
    }
    if (config.rescheduling().mode() == ReschedulingConfig.Mode.STANDALONE) {
      throw new IllegalArgumentException("standalone rescheduling runs in a ReschedulerServer, "
          + "without the scheduling API");
    }
    this.config = config;
    this.metrics = metrics;
    this.cmsStore = cmsStore;
    this.injectedClock = clock;
  }

  @Override
  public Future<?> start() {
    clock = injectedClock != null ? injectedClock : VertxClock.of(vertx);
    PrefixIndex prefixIndex = config.cacheAware().enabled()
        ? PrefixIndexes.create(vertx, config.cacheAware(), clock) : null;
    service = SchedulingService.create(config, metrics, clock,
        config.fullMode() ? cmsStore.apply(vertx) : null, prefixIndex);
    service.start();
    Router internal = Router.router(vertx);
    mountInternal(internal);
    if (config.internalPort() == 0) {
      OperatorRoutes.mount(internal, metrics, () -> !draining);
      internal.route().last().handler(ctx -> text(ctx.response(), 404, "Not found"));
      return listen(internal, config.port()).onSuccess(s -> {
        server = s;
        serving = true;
        logInternalRoutes(s.actualPort());
      });
    }
    // The internal routes on their own listener, which a NetworkPolicy can open to gateways
    // only; the main port keeps what Prometheus and the kubelet probe.
    internal.route().last().handler(ctx -> text(ctx.response(), 404, "Not found"));
    Router operator = Router.router(vertx);
    OperatorRoutes.mount(operator, metrics, () -> !draining);
    for (String path : INTERNAL_PATHS) {
      operator.route(path).handler(ctx -> OpenAiError.notFound(path
          + " is served on the internal port (--internal-port), not here").send(ctx.response()));
    }
    operator.route().last().handler(ctx -> text(ctx.response(), 404, "Not found"));
    return listen(internal, config.internalPort()).compose(s -> {
      internalServer = s;
      return listen(operator, config.port());
    }).onSuccess(s -> {
      server = s;
      serving = true;
      logInternalRoutes(internalServer.actualPort());
    });
  }

  /** {@code /schedule}, {@code /release}, {@code /report} and {@code /keepalive}. */
  private void mountInternal(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64L * 1024 * 1024);
    if (config.serviceToken().enabled()) {
      ServiceTokenCheck check = new ServiceTokenCheck(config.serviceToken());
      for (String path : INTERNAL_PATHS) {
        router.route(path).handler(check); // before the body is read or the socket upgraded
      }
    }
    router.route("/schedule").handler(body).handler(ctx -> schedule(ctx, false));
    router.route("/release").handler(body).handler(ctx -> schedule(ctx, true));
    router.route("/report").handler(body).handler(this::report);
    router.route(Keepalive.PATH).handler(this::keepalive);
  }

  private Future<HttpServer> listen(Router router, int port) {
    return vertx.createHttpServer().requestHandler(router).listen(port, config.host());
  }

  private void logInternalRoutes(int port) {
    logger.log(System.Logger.Level.INFO, "internal routes " + INTERNAL_PATHS + " on "
        + config.host() + ":" + port + (config.serviceToken().enabled()
            ? ": service token required (Authorization: Bearer <--service-token>)"
            : ": no --service-token, any caller may use them"));
  }

  /**
   * Stops cleanly: {@code /healthz} turns 503, the listeners take no new connection, and the
   * calls under way (each a few milliseconds) are answered, for up to {@code timeoutMillis}.
   * Gateways' keepalives close, so they schedule round-robin until another scheduler answers.
   */
  public Future<Void> drain(long timeoutMillis) {
    draining = true;
    List<Future<Void>> closing = new ArrayList<>(2);
    for (HttpServer listener : new HttpServer[] {server, internalServer}) {
      if (listener != null) {
        closing.add(listener.shutdown(timeoutMillis, TimeUnit.MILLISECONDS));
      }
    }
    return Future.join(closing).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    serving = false;
    if (service != null) {
      service.stop();
    }
    return Future.succeededFuture();
  }

  /** The context the scheduler runs on, once deployed: its event loop and its state's. */
  public Context eventLoopContext() {
    return context;
  }

  /** The port listened on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? config.port() : s.actualPort();
  }

  /**
   * The port of the internal routes, the one gateways name in {@code --scheduler-endpoints}:
   * {@code --internal-port} when set, else {@link #actualPort()}.
   */
  public int internalPort() {
    HttpServer s = internalServer;
    return s != null ? s.actualPort()
        : config.internalPort() > 0 ? config.internalPort() : actualPort();
  }

  /** Adds or updates an instance from discovery (lite mode), on the scheduler's event loop. */
  @Override
  public void up(LlmInstance instance) {
    context.runOnContext(ignored -> {
      LiteTracking lite = service.lite();
      if (lite != null) {
        lite.up(instance);
      }
    });
  }

  /** Removes an instance discovery no longer reports (lite mode), on the event loop. */
  @Override
  public void down(String instanceId) {
    context.runOnContext(ignored -> {
      LiteTracking lite = service.lite();
      if (lite != null) {
        lite.down(instanceId);
      }
    });
  }

  private void schedule(RoutingContext ctx, boolean release) {
    SchedulingRequest request;
    try {
      Buffer body = ctx.body().buffer();
      if (body == null || body.length() == 0) {
        throw new IllegalArgumentException("empty body");
      }
      request = SchedulingJson.decode(body);
    } catch (IllegalArgumentException e) {
      if (!release) {
        service.invalidRequest();
      }
      text(ctx.response(), 400, "invalid scheduling req");
      return;
    }
    if (release) {
      answer(ctx.response(), service.release(request));
    } else {
      service.schedule(request, ctx.response()::closed).onComplete(done ->
          answer(ctx.response(), done.succeeded() ? done.result()
              : new Outcome.Failed(500, String.valueOf(done.cause()))));
    }
  }

  // ---- the same calls in process (InProcessScheduler), on the scheduler's event loop

  /** As {@code /schedule}; fails as a refused connection would while the server is down. */
  public Future<Outcome> schedule(SchedulingRequest request, BooleanSupplier abandoned) {
    if (!serving()) {
      return notServing();
    }
    return service.schedule(request, abandoned).recover(e -> Future.succeededFuture(
        new Outcome.Failed(500, String.valueOf(e)))); // as the HTTP route answers it
  }

  /** As {@code /release}. */
  public Future<Outcome> release(SchedulingRequest request) {
    return serving() ? Future.succeededFuture(service.release(request)) : notServing();
  }

  /** As {@code /report}. */
  public Future<Void> report(List<ReportItem> items) {
    if (!serving()) {
      return notServing();
    }
    applyReport(items);
    return Future.succeededFuture();
  }

  private boolean serving() {
    return serving && !draining;
  }

  private static <T> Future<T> notServing() {
    return Future.failedFuture(new ConnectException("the scheduler is not serving"));
  }

  private static void answer(HttpServerResponse response, Outcome outcome) {
    if (response.closed()) {
      return; // the gateway gave up while the prefix lookup ran
    }
    switch (outcome) {
      case Outcome.Scheduled scheduled -> response
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(SchedulingJson.encode(scheduled.answer()));
      case Outcome.Failed failed -> text(response, failed.status(), failed.message());
    }
  }

  private void report(RoutingContext ctx) {
    List<ReportItem> items;
    try {
      Buffer body = ctx.body().buffer();
      items = body == null ? List.of() : SchedulingJson.decodeReport(body);
    } catch (IllegalArgumentException e) {
      text(ctx.response(), 400, "invalid report req");
      return;
    }
    applyReport(items);
    ctx.response().setStatusCode(200).end();
  }

  private void applyReport(List<ReportItem> items) {
    for (ReportItem item : items) {
      if (item.kind() == ReportItem.Kind.INSTANCE_FAILED) {
        service.failed(item.instanceId());
      }
    }
    LiteTracking lite = service.lite();
    if (lite != null) {
      lite.report(items); // full mode takes no load reports: the engines' statuses carry it
    }
  }

  private void keepalive(RoutingContext ctx) {
    ctx.request().toWebSocket().onSuccess(this::keepalive).onFailure(e ->
        logger.log(System.Logger.Level.WARNING, "keepalive handshake failed: " + e));
  }

  private void keepalive(ServerWebSocket ws) {
    KeepaliveSession.watch(ws, service.lite(), clock, config.keepaliveIntervalMillis());
  }

  private static void text(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(message);
  }
}
