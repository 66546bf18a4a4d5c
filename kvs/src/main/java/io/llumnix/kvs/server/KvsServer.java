package io.llumnix.kvs.server;

import io.llumnix.kvs.mooncake.MooncakeApi;
import io.llumnix.kvs.mooncake.MooncakeJson;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The metadata service's HTTP server: Mooncake master's {@code GET /batch_query_keys}, our
 * writes ({@code POST /batch_put_keys}, {@code /batch_remove_keys}, {@code /remove_endpoint};
 * see {@link MooncakeApi}), {@code /healthz} (503 while the store cannot be reached) and
 * {@code /metrics}. Every answer of the API is JSON: 400 for a bad request, 404 for an unknown
 * path, 405 for a wrong method, and 503 {@code {"success":false,"error":...}} when the store
 * failed, as the master answers while it cannot serve.
 *
 * <pre>{@code
 * ComponentMetrics metrics = ComponentMetrics.create(1000);
 * KvsServer server = new KvsServer(KvsSettings.memory("0.0.0.0", 9003), metrics);
 * vertx.deployVerticle(server).await();
 * }</pre>
 */
public final class KvsServer extends VerticleBase {

  private static final System.Logger logger = System.getLogger(KvsServer.class.getName());
  private static final CharSequence APPLICATION_JSON =
      HttpHeaders.createOptimized("application/json; charset=utf-8");
  private static final String OTHER = "other";
  /** What the master says when {@code keys} is missing or empty. */
  private static final String NO_KEYS = "No keys provided. Use ?keys=key1,key2,...";

  private final KvsSettings settings;
  private final ComponentMetrics metrics;
  private final Function<Vertx, KvsStore> opener;
  private @Nullable KvsStore store;
  private @Nullable HttpServer server;
  private volatile boolean storeUp;
  private boolean checking;
  private long healthTimer = -1;

  /** A server on the store {@code settings} name (Redis, or memory). */
  public KvsServer(KvsSettings settings, ComponentMetrics metrics) {
    this(settings, metrics, vertx -> KvsStore.open(vertx, settings));
  }

  /** A server on the store {@code store} opens on the server's Vert.x at start. */
  public KvsServer(KvsSettings settings, ComponentMetrics metrics,
      Function<Vertx, KvsStore> store) {
    this.settings = settings;
    this.metrics = metrics;
    this.opener = store;
    metrics.registerAll(KvsMetrics.all());
  }

  @Override
  public Future<?> start() {
    KvsStore opened = opener.apply(vertx);
    store = opened;
    Router router = Router.router(vertx);
    OperatorRoutes.mount(router, metrics, this::healthy);
    // Bodies are JSON, never forms: merging form attributes would decode the query, and a
    // malformed one there fails outside any handler, leaving the request unanswered.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(16L * 1024 * 1024)
        .setMergeFormAttributes(false);
    router.route(MooncakeApi.BATCH_QUERY_KEYS).handler(only(HttpMethod.GET)).handler(this::query);
    router.route(MooncakeApi.BATCH_PUT_KEYS).handler(body).handler(only(HttpMethod.POST))
        .handler(ctx -> write(ctx, MooncakeApi.BATCH_PUT_KEYS));
    router.route(MooncakeApi.BATCH_REMOVE_KEYS).handler(body).handler(only(HttpMethod.POST))
        .handler(ctx -> write(ctx, MooncakeApi.BATCH_REMOVE_KEYS));
    router.route(MooncakeApi.REMOVE_ENDPOINT).handler(body).handler(only(HttpMethod.POST))
        .handler(this::removeEndpoint);
    router.route().last()
        .handler(ctx -> answer(ctx, OTHER, 404, "not found: " + ctx.request().path()));
    router.errorHandler(400, ctx -> answer(ctx, path(ctx), 400, "bad request"));
    router.errorHandler(413, ctx -> answer(ctx, path(ctx), 413, "body too large"));
    router.errorHandler(500, ctx -> {
      logger.log(System.Logger.Level.WARNING, "kvs: " + ctx.request().path() + " failed",
          ctx.failure());
      answer(ctx, path(ctx), 500, "internal error");
    });
    checkStore();
    healthTimer = vertx.setPeriodic(settings.healthIntervalMillis(), id -> checkStore());
    // Lookups of many keys make long URLs: allow well beyond the clients' ~7 kB.
    HttpServerOptions options = new HttpServerOptions().setMaxInitialLineLength(64 * 1024);
    return vertx.createHttpServer(options).requestHandler(router)
        .listen(settings.port(), settings.host()).onSuccess(s -> server = s)
        .onFailure(e -> {
          vertx.cancelTimer(healthTimer); // a failed start is not stopped
          opened.close();
        });
  }

  @Override
  public Future<?> stop() {
    if (healthTimer >= 0) {
      vertx.cancelTimer(healthTimer);
    }
    KvsStore s = store;
    return s == null ? Future.succeededFuture() : s.close();
  }

  /** The port listened on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? settings.port() : s.actualPort();
  }

  /** Whether the store answered its last ping and no call failed since. */
  public boolean healthy() {
    return storeUp;
  }

  // ---- the API

  private void query(RoutingContext ctx) {
    long start = System.nanoTime();
    String raw;
    try {
      raw = String.join(",", ctx.queryParam(MooncakeApi.KEYS_PARAMETER));
    } catch (IllegalArgumentException e) { // a malformed escape
      answer(ctx, MooncakeApi.BATCH_QUERY_KEYS, 400, "bad query: " + e.getMessage(), start);
      return;
    }
    if (raw.isEmpty()) {
      answer(ctx, MooncakeApi.BATCH_QUERY_KEYS, 400, NO_KEYS, start);
      return;
    }
    List<String> keys = split(raw);
    // An empty key (from "a,,b") is answered not found, as the master does, without a lookup.
    List<String> lookup = new ArrayList<>(new LinkedHashSet<>(keys));
    lookup.remove("");
    metrics.counter(KvsMetrics.QUERIED_KEYS_TOTAL).labels().inc(lookup.size());
    store().query(lookup).onComplete(found -> {
      metrics.counter(KvsMetrics.HIT_KEYS_TOTAL).labels().inc(found.size());
      answer(ctx, MooncakeApi.BATCH_QUERY_KEYS, 200, MooncakeJson.encodeQueryReply(keys, found),
          start);
    }, failure -> storeFailed(ctx, MooncakeApi.BATCH_QUERY_KEYS, failure, start));
  }

  private void write(RoutingContext ctx, String path) {
    long start = System.nanoTime();
    MooncakeJson.KeysBody request;
    try {
      request = MooncakeJson.decodeKeys(body(ctx));
    } catch (IllegalArgumentException e) {
      answer(ctx, path, 400, e.getMessage(), start);
      return;
    }
    boolean put = path.equals(MooncakeApi.BATCH_PUT_KEYS);
    metrics.counter(KvsMetrics.WRITTEN_KEYS_TOTAL).labels(put ? "put" : "remove")
        .inc(request.keys().size());
    Future<Void> done = put ? store().put(request.endpoint(), request.keys())
        : store().remove(request.endpoint(), request.keys());
    done.onComplete(ignored -> answer(ctx, path, 200, MooncakeJson.encodeSuccess(), start),
        failure -> storeFailed(ctx, path, failure, start));
  }

  private void removeEndpoint(RoutingContext ctx) {
    long start = System.nanoTime();
    String endpoint;
    try {
      endpoint = MooncakeJson.decodeEndpoint(body(ctx));
    } catch (IllegalArgumentException e) {
      answer(ctx, MooncakeApi.REMOVE_ENDPOINT, 400, e.getMessage(), start);
      return;
    }
    store().removeEndpoint(endpoint).onComplete(removed -> {
      metrics.counter(KvsMetrics.REMOVED_ENDPOINTS_TOTAL).labels().inc();
      logger.log(System.Logger.Level.INFO, "kvs: removed endpoint " + endpoint + " with "
          + removed + " keys");
      answer(ctx, MooncakeApi.REMOVE_ENDPOINT, 200, MooncakeJson.encodeSuccess(), start);
    }, failure -> storeFailed(ctx, MooncakeApi.REMOVE_ENDPOINT, failure, start));
  }

  private static Buffer body(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    return body == null ? Buffer.buffer() : body;
  }

  /** {@code keys} split on commas, empty pieces kept (the master's split). */
  static List<String> split(String keys) {
    List<String> all = new ArrayList<>();
    int from = 0;
    for (int comma = keys.indexOf(','); comma >= 0; comma = keys.indexOf(',', from)) {
      all.add(keys.substring(from, comma));
      from = comma + 1;
    }
    all.add(keys.substring(from));
    return all;
  }

  private void storeFailed(RoutingContext ctx, String path, Throwable failure, long start) {
    storeUp = false; // until a ping answers again
    metrics.counter(KvsMetrics.STORE_ERRORS_TOTAL).labels().inc();
    metrics.gauge(KvsMetrics.STORE_UP).labels().set(0);
    answer(ctx, path, 503, "kv store unavailable: " + failure.getMessage(), start);
  }

  private KvsStore store() {
    KvsStore s = store;
    if (s == null) {
      throw new IllegalStateException("kvs server not started");
    }
    return s;
  }

  // ---- health and gauges

  private void checkStore() {
    if (checking) {
      return; // the last check is still waiting on a slow store
    }
    checking = true;
    KvsStore s = store();
    s.ping().compose(ignored -> s.stats()).onComplete(stats -> {
      checking = false;
      if (!storeUp) {
        logger.log(System.Logger.Level.INFO, "kvs: store " + settings.describe() + " is up");
      }
      storeUp = true;
      metrics.gauge(KvsMetrics.STORE_UP).labels().set(1);
      metrics.gauge(KvsMetrics.KEYS_HELD).labels().set(stats.keysHeld());
      metrics.gauge(KvsMetrics.ENDPOINTS).labels().set(stats.endpoints());
    }, failure -> {
      checking = false;
      if (storeUp) {
        logger.log(System.Logger.Level.WARNING, "kvs: store " + settings.describe()
            + " is unreachable: " + failure.getMessage());
      }
      storeUp = false;
      metrics.gauge(KvsMetrics.STORE_UP).labels().set(0);
    });
  }

  // ---- answers

  /** Lets {@code method} through; any other gets 405. */
  private Handler<RoutingContext> only(HttpMethod method) {
    return ctx -> {
      if (ctx.request().method().equals(method)) {
        ctx.next();
        return;
      }
      ctx.response().putHeader(HttpHeaders.ALLOW, method.name());
      answer(ctx, path(ctx), 405, "method not allowed: " + ctx.request().method().name()
          + " (expected: " + method.name() + ")");
    };
  }

  private static String path(RoutingContext ctx) {
    String path = ctx.request().path();
    return switch (path) {
      case MooncakeApi.BATCH_QUERY_KEYS, MooncakeApi.BATCH_PUT_KEYS,
          MooncakeApi.BATCH_REMOVE_KEYS, MooncakeApi.REMOVE_ENDPOINT -> path;
      default -> OTHER;
    };
  }

  private void answer(RoutingContext ctx, String path, int status, String error) {
    answer(ctx, path, status, error, System.nanoTime());
  }

  private void answer(RoutingContext ctx, String path, int status, String error, long start) {
    answer(ctx, path, status, MooncakeJson.encodeError(error), start);
  }

  private void answer(RoutingContext ctx, String path, int status, Buffer body, long start) {
    metrics.counter(KvsMetrics.REQUESTS_TOTAL).labels(path, String.valueOf(status)).inc();
    metrics.histogram(KvsMetrics.REQUEST_DURATION_MILLISECONDS).labels(path)
        .observe((System.nanoTime() - start) / 1e6);
    if (ctx.response().ended() || ctx.response().closed()) {
      return; // the client went away
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(body);
  }
}
