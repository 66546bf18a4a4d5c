package io.llumnix.gateway;

import io.llumnix.core.instance.Cooldown;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.llumnix.gateway.admission.Admission;
import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.auth.ApiKeyCheck;
import io.llumnix.gateway.forward.Forwarders;
import io.llumnix.gateway.health.EngineWatch;
import io.llumnix.gateway.mirror.Mirror;
import io.llumnix.gateway.mirror.MirrorConfig;
import io.llumnix.gateway.mirror.MirrorSettings;
import io.llumnix.gateway.observe.GatewayMetrics;
import io.llumnix.gateway.observe.RequestObservation;
import io.llumnix.gateway.queue.SchedulingQueue;
import io.llumnix.gateway.route.RawRequest;
import io.llumnix.gateway.route.Route;
import io.llumnix.gateway.route.RouteTable;
import io.llumnix.gateway.route.Routing;
import io.llumnix.gateway.scheduling.Balancer;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.RemoteSchedulerBalancer;
import io.llumnix.gateway.scheduling.RoundRobinBalancer;
import io.llumnix.gateway.scheduling.SchedulerSettings;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.OpenAiError;
import io.llumnix.openai.RequestRules;
import io.llumnix.openai.http.ErrorRoutes;
import io.llumnix.runtime.VertxClock;
import io.llumnix.scheduler.api.InProcessScheduler;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's HTTP server: {@code POST /v1/chat/completions}, {@code POST /v1/completions},
 * {@code GET /v1/models}, {@code /healthz} and {@code /metrics}.
 *
 * <p>A request's path through the gateway: {@link Routing} (with a route config: an external
 * server's requests are proxied from here) → {@link Admission} (parse, validate, tokenize, the
 * engine request) → {@link SchedulingQueue} → {@link Exchange}, which takes it on: a
 * {@link Balancer} leases instances, a {@link io.llumnix.gateway.forward.Forwarder} reaches
 * them, a {@link io.llumnix.gateway.relay.ClientWriter} writes the answer, and a
 * {@link RequestObservation} records it; an {@link EngineWatch} fails requests over from
 * engines that stopped answering. One verticle: the whole pipeline runs on its event
 * loop, except admission, which runs on its own few threads, and, when a scheduler decides, the
 * queue, which runs on an event loop of its own ({@link SchedulingLoop}).
 */
public final class GatewayServer extends VerticleBase {

  /** A body this small (a prompt of a few thousand tokens at most) admits in well under 1 ms. */
  static final int INLINE_ADMISSION_MAX_BYTES = 8 * 1024;

  private final GatewayConfig config;
  private final Admission admission;
  private final Balancer balancer;
  private final RoundRobinBalancer roundRobin;
  private final ComponentMetrics componentMetrics;
  private final Routing routing;
  private final ApiKeyCheck apiKeys;
  private final @Nullable Clock injectedClock;
  private Clock clock;
  private GatewayMetrics metrics;
  private HttpClient engines;
  private SchedulingQueue queue;
  /** Where the queue runs: an event loop of its own when a scheduler decides. */
  private Context scheduling;
  /** A scheduler's own loop in this process, for {@link #scheduling}; else null. */
  private @Nullable Context schedulerLoop;
  private Exchange.Parts parts;
  private @Nullable HttpServer server;
  private WorkerExecutor admitters;
  private @Nullable Mirror mirror;
  private EngineWatch engineWatch;
  /**
   * Requests under way, each with how to end it now (when draining runs out of time). Changed
   * on the event loop only; concurrent so that {@link #inFlight()} may be read from any thread.
   */
  private final Map<RoutingContext, Runnable> inFlight = new ConcurrentHashMap<>();
  private boolean draining;
  private @Nullable Promise<Void> drained;

  /**
   * @param balancer chooses instances for requests
   * @param roundRobin answers {@code /v1/models} (any instance)
   * @param clock the clock to run on; null for the real one
   * @throws IllegalArgumentException when the route config or the API keys cannot be read or
   *     are not valid
   */
  public GatewayServer(GatewayConfig config, Tokenizer tokenizer, Balancer balancer,
      RoundRobinBalancer roundRobin, ComponentMetrics metrics, @Nullable Clock clock) {
    this.config = config;
    this.admission = new Admission(RequestRules.gateway(tokenizer, config.maxModelLen()));
    this.balancer = balancer;
    this.roundRobin = roundRobin;
    this.componentMetrics = metrics;
    this.routing = new Routing(config.routes());
    this.apiKeys = new ApiKeyCheck(config.auth());
    this.injectedClock = clock;
  }

  /**
   * Deploys a gateway on {@code vertx} over the instances of {@code directory}: choosing
   * through the schedulers {@code schedulers} names, round-robin by itself when it is null.
   *
   * @throws IllegalStateException when it cannot listen
   */
  public static GatewayServer deploy(Vertx vertx, GatewayConfig config, Tokenizer tokenizer,
      InstanceDirectory directory, @Nullable SchedulerSettings schedulers, int maxLabelSets)
      throws Exception {
    return deploy(vertx, config, tokenizer, directory, schedulers, maxLabelSets, null);
  }

  /**
   * As {@link #deploy(Vertx, GatewayConfig, Tokenizer, InstanceDirectory, SchedulerSettings,
   * int)}, with a scheduler in this process (as in {@code llumnix local}) when {@code local} is
   * given: calls to its endpoint skip HTTP, and the queue runs on its event loop, so its
   * answers wake no thread on either side.
   */
  public static GatewayServer deploy(Vertx vertx, GatewayConfig config, Tokenizer tokenizer,
      InstanceDirectory directory, @Nullable SchedulerSettings schedulers, int maxLabelSets,
      @Nullable InProcessScheduler local) throws Exception {
    Clock clock = VertxClock.of(vertx);
    RoundRobinBalancer roundRobin = new RoundRobinBalancer(directory,
        new Cooldown(config.engineHealth().cooldownMillis(), clock::nanoTime));
    Balancer balancer = schedulers == null ? roundRobin
        : new RemoteSchedulerBalancer(vertx, clock, schedulers, roundRobin, local);
    GatewayServer server = new GatewayServer(config, tokenizer, balancer, roundRobin,
        ComponentMetrics.create(maxLabelSets), null);
    server.schedulerLoop = local != null ? local.context() : null;
    try {
      vertx.deployVerticle(server).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("gateway cannot listen on " + config.host() + ":"
          + config.port() + ": " + e.getMessage(), e);
    }
    return server;
  }

  /** The event loop requests live on (tests hold it busy). */
  Context relayingContext() {
    return context;
  }

  /** Whether requests can be scheduled: by itself, or through a scheduler that accepted it. */
  public boolean schedulerReady() {
    return !(balancer instanceof RemoteSchedulerBalancer remote) || remote.ready();
  }

  @Override
  public Future<?> start() {
    clock = injectedClock != null ? injectedClock : VertxClock.of(vertx);
    admitters = vertx.createSharedWorkerExecutor(
        "llumnix-admission-" + System.identityHashCode(this), config.admissionThreads());
    metrics = new GatewayMetrics(componentMetrics);
    MirrorSettings mirroring = config.mirror();
    if (!mirroring.configPath().isEmpty()) {
      mirror = new Mirror(vertx, MirrorConfig.watch(vertx, Path.of(mirroring.configPath()))
          .start(mirroring.checkMillis()),
          mirroring.maxInFlight(), componentMetrics);
    }
    routing.start(vertx, clock, componentMetrics);
    queue = new SchedulingQueue(clock, config.maxQueueSize(), config.queueWorkers(),
        config.queueFullWaitMillis(), metrics.pending());
    scheduling = balancer instanceof RemoteSchedulerBalancer
        ? SchedulingLoop.next(vertx, context, schedulerLoop) : context;
    engines = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setTcpNoDelay(true).setConnectTimeout(3000).setIdleTimeout(config.engineIdleSeconds()),
        new PoolOptions().setHttp1MaxSize(1024));
    engineWatch = new EngineWatch(vertx, clock, config.engineHealth());
    parts = new Exchange.Parts(clock, balancer,
        Forwarders.builtins().create(config.forwarder(), engines,
            config.separatePdScheduling()), routing, engineWatch, config.retryMaxCount(),
        config.maxQueueSize());
    Router router = Router.router(vertx);
    BodyHandler body = ErrorRoutes.bodyHandler(config.http());
    ErrorRoutes.install(router, config.http());
    apiKeys.start(vertx, componentMetrics, config.host() + ":" + config.port());
    if (apiKeys.required()) {
      router.route("/v1/*").handler(apiKeys::handle); // before any body is read
    }
    router.post("/v1/chat/completions").handler(body).handler(ctx -> handle(ctx, true));
    router.post("/v1/completions").handler(body).handler(ctx -> handle(ctx, false));
    router.get("/v1/models").handler(this::models);
    OperatorRoutes.mount(router, componentMetrics, () -> !draining);
    HttpServer http = vertx.createHttpServer(config.http().serverOptions()).requestHandler(router);
    ErrorRoutes.invalidRequests(http);
    return http.listen(config.port(), config.host()).onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    if (mirror != null) {
      mirror.close();
    }
    balancer.close();
    engineWatch.close();
    routing.close();
    apiKeys.close();
    return admitters.close();
  }

  /**
   * Stops taking requests — {@code /healthz} turns 503 first, so a load balancer moves away,
   * and new requests get 503 — and lets those under way finish, for up to {@code timeoutMillis};
   * then ends the rest with an error (an error event and {@code [DONE]} for a stream). Completes
   * when no request is left.
   */
  public Future<Void> drain(long timeoutMillis) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      draining = true;
      drained = done;
      if (inFlight.isEmpty()) {
        done.tryComplete();
        return;
      }
      long timer = vertx.setTimer(Math.max(1, timeoutMillis), id -> {
        for (Runnable stop : List.copyOf(inFlight.values())) {
          stop.run();
        }
        done.tryComplete();
      });
      done.future().onComplete(ended -> vertx.cancelTimer(timer));
    });
    return done.future();
  }

  /** Requests under way (from any thread). */
  public int inFlight() {
    return inFlight.size();
  }

  /** The port listened on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? config.port() : s.actualPort();
  }

  /** The event loop the gateway runs on (timers of an injected clock must run there). */
  public Context context() {
    return context;
  }

  private void models(RoutingContext ctx) {
    LlmInstance instance = roundRobin.next();
    if (instance == null) {
      OpenAiError.of(503, "no available inference worker").send(ctx.response());
      return;
    }
    engines.request(HttpMethod.GET, instance.port(), instance.host(), "/v1/models")
        .compose(HttpClientRequest::send)
        .compose(response -> response.body().map(b -> {
          ctx.response().setStatusCode(response.statusCode())
              .putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON).end(b);
          return b;
        }))
        .onFailure(e -> OpenAiError.of(502, "engine " + instance.endpoint() + " unreachable")
            .send(ctx.response()));
  }

  private void handle(RoutingContext ctx, boolean chat) {
    if (draining) {
      ErrorRoutes.closeAfter(ctx.request());
      OpenAiError.of(503, "the gateway is shutting down").send(ctx.response());
      return;
    }
    inFlight.put(ctx, () -> OpenAiError.of(503, "the gateway is shutting down")
        .end(ctx.response()));
    ctx.addEndHandler(ended -> {
      inFlight.remove(ctx);
      Promise<Void> waiting = drained;
      if (waiting != null && inFlight.isEmpty()) {
        waiting.tryComplete();
      }
    });
    long arrival = clock.nanoTime();
    String header = ctx.request().getHeader("x-request-id");
    String id = header == null || header.isEmpty() ? UUID.randomUUID().toString() : header;
    Buffer body = ctx.body().buffer();
    Buffer bytes = body == null ? Buffer.buffer() : body;
    MultiMap headers = ctx.request().headers();
    RouteTable routes = routing.table();
    if (routes.routes()) {
      String model = RawRequest.modelOf(bytes);
      Route route = routes.route(model);
      if (route.kind() != Route.Kind.INTERNAL) {
        offerMirror(ctx, bytes);
        RequestObservation observation = metrics.observe(model, arrival);
        inFlight.put(ctx, ctx.response()::reset); // an external answer is not ours to end
        routing.external(routes, route.external(), ctx.response(), raw(ctx, bytes, id, model),
            status -> observation.ended(status, clock.nanoTime()));
        return;
      }
    }
    // Rendering and tokenizing can take a millisecond or more: not on the event loop, where a
    // burst of them would hold up every scheduling answer and every token relayed. A small
    // request alone on the loop holds up nothing, though, and handing it to an admission thread
    // and back costs two thread wake-ups, more than admitting it where it is.
    if (inFlight.size() == 1 && bytes.length() <= INLINE_ADMISSION_MAX_BYTES) {
      AdmittedRequest request;
      try {
        request = admission.admit(bytes, chat, id, arrival, headers);
      } catch (RuntimeException e) {
        notAdmitted(ctx, e);
        return;
      }
      admitted(ctx, bytes, request);
      return;
    }
    admitters.executeBlocking(() -> admission.admit(bytes, chat, id, arrival, headers), false)
        .onSuccess(request -> admitted(ctx, bytes, request))
        .onFailure(e -> notAdmitted(ctx, e));
  }

  private void notAdmitted(RoutingContext ctx, Throwable e) {
    OpenAiError error = e instanceof OpenAiError bad ? bad
        : OpenAiError.of(500, "preprocessing failed");
    metrics.rejected("", error.status());
    error.send(ctx.response());
  }

  private static RawRequest raw(RoutingContext ctx, Buffer body, String id, String model) {
    return new RawRequest(ctx.request().method(), ctx.request().uri(), ctx.request().headers(),
        body, id, model);
  }

  private void offerMirror(RoutingContext ctx, Buffer body) {
    if (mirror != null && !ctx.response().closed()) {
      mirror.offer(ctx.request().method(), ctx.request().path(), ctx.request().headers(), body);
    }
  }

  private void admitted(RoutingContext ctx, Buffer bytes, AdmittedRequest request) {
    offerMirror(ctx, bytes);
    if (ctx.response().closed()) { // left while its prompt was being tokenized
      metrics.rejected(request.model(), 499);
      return;
    }
    if (ctx.response().ended()) { // ended by a drain that ran out of time
      metrics.rejected(request.model(), ctx.response().getStatusCode());
      return;
    }
    RequestObservation observation = metrics.observe(request.model(), request.arrivalNanos());
    observation.admitted(clock.nanoTime(), request.prompt().length);
    Exchange exchange = new Exchange(parts, ctx.response(), request,
        raw(ctx, bytes, request.id(), request.model()), observation);
    inFlight.computeIfPresent(ctx, (c, stop) ->
        () -> exchange.stop(OpenAiError.of(503, "the gateway is shutting down")));
    if (scheduling == context) {
      queue.submit(exchange);
    } else {
      scheduling.runOnContext(ignored -> queue.submit(exchange));
    }
  }

}
