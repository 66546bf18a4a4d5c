package io.llumnix.gateway.balance;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.openai.GatewayError;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Asks the scheduler service ({@code /schedule}), keeps its lite-mode view current
 * ({@code /report}, {@code /release}) and stays registered over the {@code /keepalive}
 * WebSocket.
 *
 * <p>Design notes. Unlike the reference, the gateway never waits for a scheduler: while no
 * keepalive is up, or when a scheduler call fails, the request goes to the next instance by
 * round-robin, so the gateway serves with the scheduler down. The keepalive dials the endpoints
 * in turn, moving to the next one when one fails (or fails three calls in a row), and retries
 * every second. A scheduler that
 * answers 429 (nothing available) is asked again every retry interval until the wait timeout,
 * then the request fails with 503. A release is sent only to the scheduler that allocated the
 * request (the one the keepalive was connected to then); a scheduler that lost the keepalive
 * released the gateway's requests already.
 */
public final class RemoteSchedulerBalancer implements Balancer {

  private static final System.Logger logger =
      System.getLogger(RemoteSchedulerBalancer.class.getName());

  /**
   * How to reach the schedulers.
   *
   * @param endpoints {@code --scheduler-endpoints}: host:port, tried in order
   * @param reportIntervalMillis {@code --requests-report-duration}; 0 turns lite tracking off
   * @param pingCheckMillis the keepalive is dropped when two checks this far apart saw no ping
   *     from the scheduler (the reference: 3 s)
   * @param fullMode {@code --enable-full-mode-scheduling}: the scheduler reads engine status
   *     from the CMS, so requests are neither reported nor released when they finish normally
   */
  public record Settings(List<String> endpoints, String serviceToken, long timeoutMillis,
      long waitSchedulingTimeoutMillis, long waitSchedulingRetryMillis,
      long reportIntervalMillis, long reconnectMillis, long pingCheckMillis, boolean fullMode) {

    public Settings {
      endpoints = List.copyOf(endpoints);
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException(
            "--scheduler-endpoints: empty (expected: host:port[,host:port...])");
      }
      endpoints.forEach(Endpoint::parse);
    }
  }

  /** One scheduler's address, parsed once. */
  private record Endpoint(String host, int port) {
    static Endpoint parse(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      try {
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        if (colon <= 0 || port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
        return new Endpoint(hostPort.substring(0, colon), port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--scheduler-endpoints: " + hostPort
            + " (expected: host:port[,host:port...])", e);
      }
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** What the scheduler is told about one request in flight. */
  private static final class Tracked {
    final String id;
    final String model;
    final LlmInstance instance;
    final String gatewayId;
    volatile long tokens;
    volatile boolean prefillDone;
    volatile boolean prefillReported;

    Tracked(String id, String model, LlmInstance instance, String gatewayId) {
      this.id = id;
      this.model = model;
      this.instance = instance;
      this.gatewayId = gatewayId;
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final List<Endpoint> endpoints;
  private final RoundRobinBalancer fallback;
  private final WebClient web;
  private final WebSocketClient sockets;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final long reportTimer;
  private volatile int endpoint;
  private volatile @Nullable String gatewayId;
  private volatile @Nullable WebSocket keepalive;
  private volatile boolean closed;
  /** Scheduler calls that failed in a row; three move the keepalive to the next endpoint. */
  private final java.util.concurrent.atomic.AtomicInteger failures =
      new java.util.concurrent.atomic.AtomicInteger();

  public RemoteSchedulerBalancer(Vertx vertx, Settings settings, RoundRobinBalancer fallback) {
    this.vertx = vertx;
    this.settings = settings;
    this.endpoints = settings.endpoints().stream().map(Endpoint::parse).toList();
    this.fallback = fallback;
    // Every request makes a /schedule and a /release: the pool must not be the bottleneck.
    this.web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(256));
    this.sockets = vertx.createWebSocketClient();
    this.reportTimer = settings.reportIntervalMillis() > 0
        ? vertx.setPeriodic(settings.reportIntervalMillis(), t -> sendReports()) : -1;
    connect();
  }

  /** Whether a scheduler holds our keepalive, so scheduling goes through it. */
  public boolean ready() {
    return gatewayId != null;
  }

  @Override
  public Future<LlmInstance> schedule(String id, String model, int promptTokens) {
    String gateway = gatewayId;
    if (gateway == null) {
      return roundRobin(); // no scheduler: serve anyway
    }
    Promise<LlmInstance> result = Promise.promise();
    long deadline = System.nanoTime() + settings.waitSchedulingTimeoutMillis() * 1_000_000;
    attempt(id, model, promptTokens, gateway, deadline, result);
    return result.future();
  }

  private void attempt(String id, String model, int promptTokens, String gateway, long deadline,
      Promise<LlmInstance> result) {
    JsonObject body = new JsonObject().put("id", id).put("model", model)
        .put("gateway_id", gateway).put("scheduling_mode", "neutral")
        .put("scheduling_stage", "prefill").put("prompt_num_tokens", promptTokens)
        .putNull("prompt_token_ids");
    post("/schedule", body).onComplete(ar -> {
      if (ar.failed()) {
        logger.log(System.Logger.Level.WARNING, "scheduler " + current() + " failed ("
            + ar.cause().getMessage() + "); round-robin for " + id);
        if (failures.incrementAndGet() >= 3) {
          failures.set(0);
          failOver();
        }
        roundRobin().onComplete(result);
        return;
      }
      failures.set(0);
      HttpResponse<Buffer> response = ar.result();
      if (response.statusCode() == 200) {
        try {
          JsonArray chosen = response.bodyAsJsonObject().getJsonArray("scheduling_result");
          LlmInstance instance = SchedulingRequest.instance(chosen.getJsonObject(0));
          // Tracked even without reports: the release goes to this scheduler.
          tracked.put(id, new Tracked(id, model, instance, gateway));
          result.complete(instance);
        } catch (RuntimeException e) {
          roundRobin().onComplete(result);
        }
      } else if (response.statusCode() == 429 && System.nanoTime() < deadline) {
        vertx.setTimer(settings.waitSchedulingRetryMillis(),
            t -> attempt(id, model, promptTokens, gateway, deadline, result));
      } else if (response.statusCode() == 429) {
        result.fail(new GatewayError(503, "no available inference worker", null));
      } else {
        roundRobin().onComplete(result);
      }
    });
  }

  @Override
  public void prefillDone(String id, String model, LlmInstance instance) {
    Tracked t = tracked.get(id);
    if (t != null) {
      t.prefillDone = true;
    }
  }

  @Override
  public void reportTokens(String id, String model, LlmInstance instance, long tokens) {
    Tracked t = tracked.get(id);
    if (t != null && tokens > t.tokens) {
      t.tokens = tokens;
    }
  }

  @Override
  public void finished(String id, String model, LlmInstance instance) {
    if (settings.fullMode()) {
      tracked.remove(id);
    } else {
      release(id, model, instance);
    }
  }

  @Override
  public void release(String id, String model, LlmInstance instance) {
    Tracked t = tracked.remove(id);
    if (t == null || !t.gatewayId.equals(gatewayId)) {
      return; // round-robin pick, or a scheduler that already released it with our keepalive
    }
    JsonObject body = new JsonObject().put("id", id).put("model", model)
        .put("gateway_id", t.gatewayId).put("scheduling_mode", "neutral")
        .put("scheduling_stage", "prefill")
        .put("scheduling_result", new JsonArray().add(SchedulingRequest.toJson(instance)));
    release(body, 3);
  }

  private void release(JsonObject body, int triesLeft) {
    post("/release", body).onComplete(ar -> {
      if ((ar.failed() || ar.result().statusCode() >= 500) && triesLeft > 1) {
        vertx.setTimer(500, t -> release(body, triesLeft - 1));
      }
    });
  }

  @Override
  public void close() {
    closed = true;
    if (reportTimer >= 0) {
      vertx.cancelTimer(reportTimer);
    }
    WebSocket ws = keepalive;
    if (ws != null) {
      ws.close();
    }
  }

  private void sendReports() {
    String gateway = gatewayId;
    if (gateway == null || tracked.isEmpty()) {
      return;
    }
    JsonArray items = new JsonArray();
    for (Tracked t : tracked.values()) {
      if (!t.gatewayId.equals(gateway)) {
        continue;
      }
      if (t.tokens > 0) {
        items.add(item("state_update", t).put("num_tokens", t.tokens));
      }
      if (t.prefillDone && !t.prefillReported) {
        t.prefillReported = true;
        items.add(item("prefill_done", t));
      }
    }
    if (!items.isEmpty()) {
      post("/report", items);
    }
  }

  private static JsonObject item(String kind, Tracked t) {
    return new JsonObject().put("kind", kind).put("id", t.id).put("model", t.model)
        .put("infer_type", t.instance.inferType().label())
        .put("instance_id", t.instance.canonicalId()).put("gateway_id", t.gatewayId);
  }

  private Future<LlmInstance> roundRobin() {
    return fallback.schedule("", "", 0);
  }

  private Endpoint current() {
    return endpoints.get(endpoint % endpoints.size());
  }

  private Future<HttpResponse<Buffer>> post(String path, Object body) {
    Endpoint target = current();
    var request = web.post(target.port(), target.host(), path)
        .timeout(settings.timeoutMillis());
    if (!settings.serviceToken().isEmpty()) {
      request.putHeader("Authorization", settings.serviceToken());
    }
    return request.sendBuffer(body instanceof JsonObject o ? o.toBuffer()
        : ((JsonArray) body).toBuffer());
  }

  /** Drops the keepalive so that it reconnects, to the next endpoint. */
  private void failOver() {
    WebSocket ws = keepalive;
    if (ws != null) {
      ws.close();
    }
  }

  private void connect() {
    if (closed) {
      return;
    }
    Endpoint target = current();
    sockets.connect(target.port(), target.host(), "/keepalive")
        .onSuccess(ws -> {
          keepalive = ws;
          String local = ws.localAddress().host() + ":" + ws.localAddress().port();
          boolean[] pinged = {true};
          int[] silentChecks = {0};
          ws.frameHandler(frame -> {
            if (frame.isPing()) {
              pinged[0] = true;
            } else if (frame.isText() && frame.textData().equals("ok") && gatewayId == null) {
              gatewayId = local;
              logger.log(System.Logger.Level.INFO, "scheduler " + target
                  + " accepted this gateway as " + local);
            }
          });
          // A scheduler that stops pinging is gone even if its socket is not: drop it after two
          // silent checks, as the reference's gateway does.
          long watchdog = vertx.setPeriodic(settings.pingCheckMillis(), t -> {
            silentChecks[0] = pinged[0] ? 0 : silentChecks[0] + 1;
            pinged[0] = false;
            if (silentChecks[0] >= 2) {
              logger.log(System.Logger.Level.WARNING, "scheduler " + target
                  + " sent no ping for two checks: dropping its keepalive");
              ws.close();
            }
          });
          ws.closeHandler(ignored -> {
            vertx.cancelTimer(watchdog);
            keepalive = null;
            gatewayId = null;
            tracked.clear(); // the scheduler released them with our keepalive
            endpoint++;
            if (!closed) {
              logger.log(System.Logger.Level.WARNING, "scheduler " + target
                  + " keepalive closed; round-robin until a scheduler accepts us again");
              vertx.setTimer(settings.reconnectMillis(), t -> connect());
            }
          });
          ws.writeTextMessage(new JsonObject().put("host", ws.localAddress().host())
              .put("port", ws.localAddress().port()).encode());
        })
        .onFailure(e -> {
          endpoint++;
          vertx.setTimer(settings.reconnectMillis(), t -> connect());
        });
  }
}
