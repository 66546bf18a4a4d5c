package io.llumnix.scheduler;

import io.llumnix.core.instance.InstanceListener;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The scheduler's HTTP server (llumnix.md §1): {@code /schedule}, {@code /release},
 * {@code /report}, the {@code /keepalive} WebSocket, {@code /healthz} and {@code /metrics}; any
 * other path is 404 {@code Not found}. One verticle, so all scheduling state lives on one event
 * loop and needs no lock.
 */
public final class SchedulerServer extends VerticleBase implements InstanceListener {

  private static final System.Logger logger = System.getLogger(SchedulerServer.class.getName());

  private final String host;
  private final int port;
  private final long keepaliveIntervalMillis;
  private final ComponentMetrics metrics;
  private final Supplier<? extends Scheduling> serviceFactory;
  private @Nullable Scheduling service;
  private @Nullable HttpServer server;

  /**
   * Creates the server; {@code serviceFactory} runs on the server's event loop at start, so the
   * service and its state belong to that loop.
   */
  public SchedulerServer(String host, int port, long keepaliveIntervalMillis,
      ComponentMetrics metrics, Supplier<? extends Scheduling> serviceFactory) {
    this.host = host;
    this.port = port;
    this.keepaliveIntervalMillis = keepaliveIntervalMillis;
    this.metrics = metrics;
    this.serviceFactory = serviceFactory;
  }

  @Override
  public Future<?> start() {
    service = serviceFactory.get();
    service.start(vertx);
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64L * 1024 * 1024);
    router.route("/schedule").handler(body).handler(ctx -> schedule(ctx, false));
    router.route("/release").handler(body).handler(ctx -> schedule(ctx, true));
    router.route("/report").handler(body).handler(this::report);
    router.route("/keepalive").handler(this::keepalive);
    OperatorRoutes.mount(router, metrics, () -> true);
    router.route().last().handler(ctx -> text(ctx.response(), 404, "Not found"));
    return vertx.createHttpServer().requestHandler(router).listen(port, host)
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    if (service != null) {
      service.stop();
    }
    return Future.succeededFuture();
  }

  /** The port listened on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? port : s.actualPort();
  }

  /** Adds or updates an instance from discovery, on the scheduler's event loop. */
  @Override
  public void up(LlmInstance instance) {
    context.runOnContext(ignored -> service.up(instance));
  }

  /** Removes an instance that discovery no longer reports, on the scheduler's event loop. */
  @Override
  public void down(String instanceId) {
    context.runOnContext(ignored -> service.down(instanceId));
  }

  private void schedule(RoutingContext ctx, boolean release) {
    SchedulingRequest request;
    try {
      JsonObject json = ctx.body().asJsonObject();
      if (json == null) {
        throw new IllegalArgumentException("empty body");
      }
      request = SchedulingRequest.fromJson(json);
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      if (!release) {
        service.invalidRequest();
      }
      text(ctx.response(), 400, "invalid scheduling req");
      return;
    }
    SchedulingService.Outcome outcome = release ? service.release(request)
        : service.schedule(request);
    switch (outcome) {
      case SchedulingService.Outcome.Scheduled scheduled -> ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(scheduled.answer().toJson().toBuffer());
      case SchedulingService.Outcome.Failed failed ->
          text(ctx.response(), failed.status(), failed.message());
    }
  }

  private void report(RoutingContext ctx) {
    JsonArray items;
    try {
      Buffer body = ctx.body().buffer();
      items = body == null || body.length() == 0 ? new JsonArray() : new JsonArray(body);
    } catch (DecodeException | ClassCastException e) {
      text(ctx.response(), 400, "invalid report req");
      return;
    }
    service.report(items);
    ctx.response().setStatusCode(200).end();
  }

  /**
   * A gateway's keepalive: it sends {@code {"host","port"}}, the scheduler answers {@code ok},
   * then pings every interval and drops the socket when two pings went unanswered. A dropped
   * gateway has all its requests released.
   */
  private void keepalive(RoutingContext ctx) {
    ctx.request().toWebSocket().onSuccess(this::keepalive).onFailure(e ->
        logger.log(System.Logger.Level.WARNING, "keepalive handshake failed: " + e));
  }

  private void keepalive(ServerWebSocket ws) {
    String[] gatewayId = {null};
    int[] unanswered = {0};
    long[] timer = {-1};
    boolean[] dropped = {false};
    // Released at once when the gateway is dropped: a peer that answers no ping may not answer
    // the close handshake either, and its requests must not wait for that.
    Runnable drop = () -> {
      if (dropped[0]) {
        return;
      }
      dropped[0] = true;
      if (timer[0] >= 0) {
        vertx.cancelTimer(timer[0]);
      }
      if (gatewayId[0] != null) {
        int released = service.gatewayGone(gatewayId[0]);
        logger.log(System.Logger.Level.INFO,
            "gateway " + gatewayId[0] + " disconnected; released " + released + " requests");
      }
    };
    ws.pongHandler(pong -> unanswered[0] = 0);
    ws.textMessageHandler(text -> {
      if (gatewayId[0] != null) {
        return;
      }
      try {
        JsonObject hello = new JsonObject(text);
        gatewayId[0] = hello.getString("host") + ":" + hello.getValue("port");
      } catch (RuntimeException e) {
        ws.close((short) 1003, "expected {\"host\",\"port\"}");
        return;
      }
      service.registerGateway(gatewayId[0]);
      ws.writeTextMessage("ok");
      timer[0] = vertx.setPeriodic(keepaliveIntervalMillis, t -> {
        if (unanswered[0] >= 2) {
          logger.log(System.Logger.Level.WARNING,
              "gateway " + gatewayId[0] + " missed two pings: dropping it");
          drop.run();
          ws.close();
          return;
        }
        unanswered[0]++;
        ws.writePing(Buffer.buffer("ping"));
      });
    });
    ws.closeHandler(ignored -> drop.run());
  }

  private static void text(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(message);
  }

  /** Instances given on the command line, as the reference's static discovery builds them. */
  public static List<LlmInstance> staticEndpoints(String endpoints) {
    if (endpoints.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(endpoints.split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).map(SchedulerServer::endpoint).toList();
  }

  private static LlmInstance endpoint(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new NumberFormatException();
      }
      return LlmInstance.ofEndpoint(hostPort.substring(0, colon),
          Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--llm-backend-endpoints: " + hostPort + " (expected: host:port[,host:port...])", e);
    }
  }
}
