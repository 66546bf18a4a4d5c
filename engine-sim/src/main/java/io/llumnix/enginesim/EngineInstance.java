package io.llumnix.enginesim;

import io.llumnix.cms.CmsStore;
import io.llumnix.enginesim.api.EngineHandle;
import io.llumnix.enginesim.api.KvTransferRoutes;
import io.llumnix.enginesim.api.OpenAiRoutes;
import io.llumnix.enginesim.cache.CachePublishers;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.migration.EngineMigrations;
import io.llumnix.enginesim.migration.MigrationHost;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.llumnix.openai.http.ErrorRoutes;
import io.llumnix.openai.http.HttpLimits;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One simulated vLLM server: an engine core driven in simulated time, and its HTTP server, both
 * on one event loop so that neither needs a lock.
 *
 * <p>Design notes. The step loop ({@link StepLoop}) runs the core in simulated time; every
 * timestamp comes from the engine's time, so measured latencies equal the step model's.
 */
public final class EngineInstance extends VerticleBase implements EngineHandle, MigrationHost {

  private final EngineSettings settings;
  private final String host;
  private final int port;
  private final int kvTransferPort;
  private final String engineLabel;
  private final Tokenizer tokenizer;
  private final SimClock clock;
  private final ComponentMetrics metrics;
  private final @Nullable CmsTarget cmsTarget;
  private final EngineLlumlet llumlet;
  private boolean truncating;
  private final EngineMetrics engineMetrics;
  private final EngineCore core;
  private final OutputLengths lengths;
  private final String engineId = UUID.randomUUID().toString();
  private final CachePublishers publishers;
  private final int index;
  /** Created at start, on this verticle's event loop. */
  private StepLoop loop;
  /** Created at start, with the loop. */
  private HeldBlocks held;
  private @Nullable HttpServer server;
  private @Nullable HttpServer kvServer;
  private @Nullable EngineMigrations migrations;

  /**
   * Creates instance {@code index} of a simulator process.
   *
   * @param metrics the registry this instance's {@code /metrics} serves
   */
  public EngineInstance(EngineSettings settings, String host, int port, int kvTransferPort,
      int index, Tokenizer tokenizer, SimClock clock, ComponentMetrics metrics,
      @Nullable CmsStore cms, @Nullable CmsTarget cmsTarget) {
    this.cmsTarget = cmsTarget;
    this.llumlet = new EngineLlumlet(cms, cmsTarget);
    this.settings = settings;
    this.host = host;
    this.port = port;
    this.kvTransferPort = kvTransferPort;
    this.engineLabel = String.valueOf(index);
    this.tokenizer = tokenizer;
    this.clock = clock;
    this.metrics = metrics;
    this.engineMetrics = new EngineMetrics(metrics, settings, engineLabel);
    this.publishers = new CachePublishers(settings.publishing(), settings.core().blockSize());
    this.index = index;
    this.core = new EngineCore(settings.core(), engineMetrics, publishers);
    this.lengths = new OutputLengths(settings.outputLengthMean(),
        settings.core().seed() * 31 + index);
  }

  /** Keeps the queue gauges and, in full mode, the CMS status in step with the engine. */
  private void loadChanged() {
    engineMetrics.onQueues(core.numRunning(), core.numWaiting(), core.kvCacheUsage());
    llumlet.changed();
  }

  /**
   * Fault injection: while stalled, scheduled steps do not finish, as when an engine hangs in
   * a kernel or a collective. Resuming finishes the step that was in flight.
   */
  public void stall(boolean stalled) {
    // The engine's own event loop, whoever calls.
    context.runOnContext(ignored -> loop.stall(stalled));
  }

  /**
   * Fault injection: streams end where their first token would be, without a token, a finish
   * reason or {@code [DONE]} (as when the engine dies mid-answer and its connection closes).
   */
  public void truncateStreams(boolean truncate) {
    context.runOnContext(ignored -> this.truncating = truncate);
  }

  @Override
  public boolean truncatesStreams() {
    return truncating;
  }

  /**
   * Fault injection: the llumlet stops writing without removing its records, as a crashed one
   * does; the engine keeps serving.
   */
  public void haltLlumlet() {
    context.runOnContext(ignored -> llumlet.halt());
  }

  /**
   * The instance is being stopped: its llumlet reports it unschedulable, so the rescheduler
   * moves its requests out. True while requests remain here or still stream from where they
   * went (a caller waits for false before stopping it).
   */
  public Future<Boolean> draining() {
    return vertx.getOrCreateContext() == context ? Future.succeededFuture(drainStep())
        : Future.<Boolean>future(p -> context.runOnContext(ignored -> p.complete(drainStep())));
  }

  private boolean drainStep() {
    llumlet.drain();
    return core.numRunning() + core.numWaiting() > 0
        || (migrations != null && migrations.continuingElsewhere() > 0);
  }

  @Override
  public Future<?> stop() {
    if (migrations != null) {
      migrations.close();
    }
    return llumlet.close().compose(ignored -> publishers.close().recover(e -> Future.succeededFuture()));
  }

  @Override
  public Future<?> start() {
    loop = new StepLoop(vertx, clock, core, stepListener());
    held = new HeldBlocks(vertx, core, loop, settings.kvTransfer().holdTimeoutMillis(), () -> {
      loadChanged();
      loop.kick(); // freed blocks may unblock the waiting queue
    });
    Router router = Router.router(vertx);
    ErrorRoutes.install(router, HttpLimits.DEFAULT);
    new OpenAiRoutes(settings, tokenizer, this, vertx, vertx.createHttpClient()).mount(router);
    OperatorRoutes.mount(router, metrics, () -> true);
    Router kvRouter = Router.router(vertx);
    ErrorRoutes.install(kvRouter, HttpLimits.DEFAULT);
    new KvTransferRoutes(settings, this).mount(kvRouter);
    migrations = new EngineMigrations(this, cmsTarget != null ? cmsTarget.migration()
        : CmsTarget.MigrationSettings.DEFAULT);
    migrations.mount(kvRouter);
    HttpServer http = vertx.createHttpServer(HttpLimits.DEFAULT.serverOptions())
        .requestHandler(router);
    ErrorRoutes.invalidRequests(http);
    return llumlet.serve(migrations, host, index, context, this::abort)
        .compose(v -> http.listen(port, host))
        .onSuccess(s -> server = s)
        .compose(s -> vertx.createHttpServer().requestHandler(kvRouter)
            .listen(kvTransferPort, host))
        .onSuccess(s -> kvServer = s)
        .compose(s -> publishers.start(vertx, transportEndpoint(), index))
        .compose(s -> llumlet.start(vertx, settings, actualPort(), kvTransferPort(),
            publishers, core, migrations));
  }

  /** Where KV stores list this engine: its KV transport address, as the CMS names it. */
  private String transportEndpoint() {
    String ip = cmsTarget != null ? cmsTarget.advertiseHost() : kvTransferHost();
    return ip + ":" + kvTransferPort();
  }

  /** Which side of a disaggregated request this engine serves. */
  public KvTransferSettings.Role role() {
    return settings.kvTransfer().role();
  }

  /** The port the HTTP server listens on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? port : s.actualPort();
  }

  /** The step timing so far. */
  public StepTiming stepTiming() {
    return loop.timing();
  }

  @Override
  public void submit(SimRequest request) {
    core.add(request, loop.nowNanos());
    loadChanged();
    llumlet.onArrival(request.id());
    loop.kick();
  }

  @Override
  public void abort(String requestId) {
    if (migrations != null) {
      migrations.abort(requestId); // moving, or streaming from where it went
    }
    if (core.abort(requestId, loop.nowNanos())) {
      loadChanged();
      loop.kick(); // freed blocks may unblock the waiting queue
    }
  }

  // ---- MigrationHost: what this engine's migrations use

  /** The engine core; only touch it on this instance's context. */
  @Override
  public EngineCore core() {
    return core;
  }

  @Override
  public long nowNanos() {
    return loop.nowNanos();
  }

  @Override
  public void changed() {
    loadChanged();
    loop.kick();
  }

  @Override
  public void after(long simNanos, Runnable action) {
    loop.at(loop.nowNanos() + simNanos, action);
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public KvTransferSettings kvTransfer() {
    return settings.kvTransfer();
  }

  @Override
  public boolean stalled() {
    return loop.stalled();
  }

  @Override
  public String name() {
    return "engine " + host + ":" + actualPort();
  }

  /** The last migration's stop-the-world time, simulated nanoseconds; −1 before any. */
  public long lastStopTheWorldNanos() {
    return migrations == null ? -1 : migrations.lastStopTheWorldNanos();
  }

  /** The llumlet's gRPC port; 0 without a llumlet. */
  public int llumletPort() {
    return llumlet.port();
  }

  /** Runs {@code task} on this engine's event loop (tests: hold it busy). */
  void runOnEngine(Runnable task) {
    context.runOnContext(ignored -> task.run());
  }

  @Override
  public boolean contains(String requestId) {
    return core.contains(requestId);
  }

  @Override
  public String engineId() {
    return engineId;
  }

  @Override
  public String kvTransferHost() {
    return host.equals("0.0.0.0") ? "127.0.0.1" : host;
  }

  @Override
  public int kvTransferPort() {
    HttpServer s = kvServer;
    return s == null ? kvTransferPort : s.actualPort();
  }

  @Override
  public void fail(String requestId, String message) {
    if (core.fail(requestId, message, loop.nowNanos())) {
      loadChanged();
      loop.kick();
    }
  }

  @Override
  public void remoteKvReady(String requestId, long transferNanos) {
    long now = loop.nowNanos();
    if (core.remoteKvReady(requestId, now + transferNanos)) {
      loop.kick();
    }
  }

  @Override
  public int heldTokens(String requestId) {
    return held.tokens(requestId);
  }

  @Override
  public void releaseHeldAfter(String requestId, long transferNanos) {
    held.releaseAfter(requestId, transferNanos);
  }

  @Override
  public boolean releaseHeld(String requestId) {
    return held.release(requestId);
  }

  @Override
  public int drawOutputLength(int maxTokens) {
    return lengths.draw(maxTokens);
  }

  /** What this engine does as its step loop goes. */
  private StepLoop.Listener stepListener() {
    return new StepLoop.Listener() {
      @Override
      public void idle() {
        loadChanged();
      }

      @Override
      public void stepStarted() {
        llumlet.changed(); // requests moved from waiting to running
      }

      @Override
      public void stepDone() {
        held.timeNewlyHeld(); // prefilled requests keep their blocks for a decode instance
        llumlet.onStepDone();
      }
    };
  }
}
