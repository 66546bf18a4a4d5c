package io.llumnix.enginesim;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.enginesim.api.EngineHandle;
import io.llumnix.enginesim.api.KvTransferRoutes;
import io.llumnix.enginesim.api.OpenAiRoutes;
import io.llumnix.enginesim.cache.CachePublishers;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.core.StepPlan;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.EngineMetadata;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.enginesim.migration.EngineMigrations;
import io.llumnix.enginesim.migration.MigrationHost;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.llumnix.runtime.VertxClock;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One simulated vLLM server: an engine core driven in simulated time, and its HTTP server, both
 * on one event loop so that neither needs a lock.
 *
 * <p>Design notes. The step loop decides a step at simulated time {@code t}, then waits (a Vert.x
 * timer) until the clock reaches {@code t + duration} and completes it there, so tokens leave at
 * the simulated step end. Timers have millisecond resolution: when less than a millisecond of
 * wall time remains the step completes at once, and the engine's own time runs ahead of the clock
 * by under a millisecond, never behind; every timestamp comes from the engine's time, so measured
 * latencies equal the step model's. When the loop falls behind (a busy machine) the next step
 * starts at the clock's time, which shows up as longer latencies, as a slow GPU would.
 */
public final class EngineInstance extends VerticleBase implements EngineHandle, MigrationHost {

  private static final System.Logger logger = System.getLogger(EngineInstance.class.getName());

  private final EngineSettings settings;
  private final String host;
  private final int port;
  private final int kvTransferPort;
  private final String engineLabel;
  private final Tokenizer tokenizer;
  private final SimClock clock;
  private final ComponentMetrics metrics;
  private final @Nullable CmsStore cms;
  private final @Nullable CmsTarget cmsTarget;
  private @Nullable Llumlet llumlet;
  private boolean stalled;
  private boolean truncating;
  private @Nullable Runnable parkedCompletion;
  private final EngineMetrics engineMetrics;
  private final EngineCore core;
  private final SplittableRandom lengths;
  private final String engineId = UUID.randomUUID().toString();
  private final CachePublishers publishers;
  private final int index;
  private final long kvHoldTimeoutMillis;
  private long engineNanos;
  private boolean stepping;
  private long steps;
  private long modelStepNanos;
  private long measuredStepNanos;
  private long wakeupTimer = -1;
  private @Nullable HttpServer server;
  private @Nullable HttpServer kvServer;
  private @Nullable EngineMigrations migrations;
  private int llumletPort;

  /**
   * Creates instance {@code index} of a simulator process.
   *
   * @param metrics the registry this instance's {@code /metrics} serves
   */
  public EngineInstance(EngineSettings settings, String host, int port, int kvTransferPort,
      int index, Tokenizer tokenizer, SimClock clock, ComponentMetrics metrics,
      @Nullable CmsStore cms, @Nullable CmsTarget cmsTarget) {
    this.cms = cms;
    this.cmsTarget = cmsTarget;
    this.settings = settings;
    this.host = host;
    this.port = port;
    this.kvTransferPort = kvTransferPort;
    this.engineLabel = String.valueOf(index);
    this.tokenizer = tokenizer;
    this.clock = clock;
    this.metrics = metrics;
    this.kvHoldTimeoutMillis = settings.kvTransfer().holdTimeoutMillis();
    this.engineMetrics = new EngineMetrics(metrics, settings, engineLabel);
    this.publishers = new CachePublishers(settings.publishing(), settings.core().blockSize());
    this.index = index;
    this.core = new EngineCore(settings.core(), engineMetrics, publishers);
    this.lengths = new SplittableRandom(settings.core().seed() * 31 + index);
  }

  /** Keeps the queue gauges and, in full mode, the CMS status in step with the engine. */
  private void loadChanged() {
    engineMetrics.onQueues(core.numRunning(), core.numWaiting(), core.kvCacheUsage());
    if (llumlet != null) {
      llumlet.changed();
    }
  }

  /**
   * Fault injection: while stalled, scheduled steps do not finish, as when an engine hangs in
   * a kernel or a collective. Resuming finishes the step that was in flight.
   */
  public void stall(boolean stalled) {
    context.runOnContext(ignored -> { // the engine's own event loop, whoever calls
      this.stalled = stalled;
      Runnable parked = parkedCompletion;
      if (!stalled && parked != null) {
        parkedCompletion = null;
        parked.run();
      }
    });
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
    context.runOnContext(ignored -> {
      if (llumlet != null) {
        llumlet.halt();
      }
    });
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
    if (llumlet != null) {
      llumlet.drain();
    }
    return core.numRunning() + core.numWaiting() > 0
        || (migrations != null && migrations.continuingElsewhere() > 0);
  }

  @Override
  public Future<?> stop() {
    if (migrations != null) {
      migrations.close();
    }
    Future<?> closed = llumlet == null ? Future.succeededFuture() : llumlet.close()
        .recover(e -> Future.succeededFuture());
    return closed.compose(ignored -> publishers.close().recover(e -> Future.succeededFuture()));
  }

  private Future<?> startLlumlet() {
    if (cms == null || cmsTarget == null) {
      return Future.succeededFuture();
    }
    String ip = cmsTarget.advertiseHost();
    int port = actualPort();
    InstanceMetadata metadata = EngineMetadata.of(ip + ":" + port,
            settings.kvTransfer().role().name().toLowerCase(java.util.Locale.ROOT), ip, port,
            kvTransferPort(), settings.core(), System.currentTimeMillis() / 1000.0)
        .setKvEventsEndpoint(Objects.requireNonNullElse(publishers.eventsEndpoint(ip), ""))
        .setKvEventsReplayEndpoint(Objects.requireNonNullElse(publishers.replayEndpoint(ip), ""))
        .build();
    llumlet = new Llumlet(VertxClock.of(vertx), cms, cmsTarget.settings(),
        metadata.toBuilder().setLlumletPort(llumletPort).build(), core);
    if (migrations != null) {
      llumlet.migrations(migrations);
    }
    return llumlet.start();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new OpenAiRoutes(settings, tokenizer, this, vertx, vertx.createHttpClient()).mount(router);
    OperatorRoutes.mount(router, metrics, () -> true);
    Router kvRouter = Router.router(vertx);
    new KvTransferRoutes(settings, this).mount(kvRouter);
    migrations = new EngineMigrations(this, cmsTarget != null ? cmsTarget.migration()
        : CmsTarget.MigrationSettings.DEFAULT);
    migrations.mount(kvRouter);
    if (cmsTarget != null) { // the llumlet's gRPC service: the rescheduler's way in
      try {
        llumletPort = migrations.serve(host, cmsTarget.migration().portOf(index), context,
            this::abort);
      } catch (java.io.IOException e) {
        return Future.failedFuture(new IllegalStateException("llumlet gRPC port "
            + cmsTarget.migration().portOf(index) + ": " + e.getMessage(), e));
      }
    }
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(port, host)
        .onSuccess(s -> server = s)
        .compose(s -> vertx.createHttpServer().requestHandler(kvRouter)
            .listen(kvTransferPort, host))
        .onSuccess(s -> kvServer = s)
        .compose(s -> publishers.start(vertx, transportEndpoint(), index))
        .compose(s -> startLlumlet());
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
    return new StepTiming(steps, modelStepNanos, measuredStepNanos);
  }

  @Override
  public void submit(SimRequest request) {
    engineNanos = Math.max(engineNanos, clock.nowNanos());
    core.add(request, engineNanos);
    loadChanged();
    if (llumlet != null) {
      llumlet.onArrival(request.id());
    }
    kick();
  }

  @Override
  public void abort(String requestId) {
    if (migrations != null) {
      migrations.abort(requestId); // moving, or streaming from where it went
    }
    if (core.abort(requestId, Math.max(engineNanos, clock.nowNanos()))) {
      loadChanged();
      kick(); // freed blocks may unblock the waiting queue
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
    engineNanos = Math.max(engineNanos, clock.nowNanos());
    return engineNanos;
  }

  @Override
  public void changed() {
    loadChanged();
    kick();
  }

  @Override
  public void after(long simNanos, Runnable action) {
    long wait = wallMillisUntil(nowNanos() + simNanos);
    if (wait <= 0) {
      context.runOnContext(ignored -> action.run());
    } else {
      vertx.setTimer(wait, t -> action.run());
    }
  }

  @Override
  public io.vertx.core.Vertx vertx() {
    return vertx;
  }

  @Override
  public KvTransferSettings kvTransfer() {
    return settings.kvTransfer();
  }

  @Override
  public boolean stalled() {
    return stalled;
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
    return llumletPort;
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
    if (core.fail(requestId, message, Math.max(engineNanos, clock.nowNanos()))) {
      loadChanged();
      kick();
    }
  }

  @Override
  public void remoteKvReady(String requestId, long transferNanos) {
    long now = Math.max(engineNanos, clock.nowNanos());
    if (core.remoteKvReady(requestId, now + transferNanos)) {
      kick();
    }
  }

  @Override
  public int heldTokens(String requestId) {
    return core.heldTokens(requestId);
  }

  @Override
  public void releaseHeldAfter(String requestId, long transferNanos) {
    long at = Math.max(engineNanos, clock.nowNanos()) + transferNanos;
    long wait = wallMillisUntil(at);
    if (wait <= 0) {
      releaseHeld(requestId);
    } else {
      vertx.setTimer(wait, t -> releaseHeld(requestId));
    }
  }

  @Override
  public boolean releaseHeld(String requestId) {
    if (!core.releaseHeld(requestId)) {
      return false;
    }
    loadChanged();
    kick(); // freed blocks may unblock the waiting queue
    return true;
  }

  @Override
  public int drawOutputLength(int maxTokens) {
    double mean = settings.outputLengthMean();
    if (mean <= 0) {
      return maxTokens;
    }
    // Exponential lengths: most answers are short, a few run long.
    return (int) Math.min(maxTokens, 1 + Math.floor(-mean * Math.log(1 - lengths.nextDouble())));
  }

  /** Starts the step loop if it is idle. */
  private void kick() {
    if (!stepping) {
      if (wakeupTimer >= 0) {
        vertx.cancelTimer(wakeupTimer);
        wakeupTimer = -1;
      }
      step();
    }
  }

  private void step() {
    engineNanos = Math.max(engineNanos, clock.nowNanos());
    StepPlan plan = core.schedule(engineNanos);
    if (plan == null) {
      stepping = false;
      loadChanged();
      long nextReady = core.nextRemoteKvReadyNanos();
      if (nextReady >= 0) {
        long wait = wallMillisUntil(nextReady);
        if (wait <= 0) {
          // Less than a timer tick away: run ahead to it, as steps do.
          engineNanos = Math.max(engineNanos, nextReady);
          stepping = true;
          vertx.getOrCreateContext().runOnContext(ignored -> step());
        } else {
          wakeupTimer = vertx.setTimer(wait, id -> {
            wakeupTimer = -1;
            kick();
          });
        }
      }
      return;
    }
    stepping = true;
    if (llumlet != null) {
      llumlet.changed(); // requests moved from waiting to running
    }
    long end = plan.endNanos();
    long waitMillis = wallMillisUntil(end);
    Context context = vertx.getOrCreateContext();
    if (waitMillis <= 0) {
      context.runOnContext(ignored -> completeStep(plan, end));
    } else {
      vertx.setTimer(waitMillis, ignored -> completeStep(plan, end));
    }
  }

  private void completeStep(StepPlan plan, long end) {
    if (stalled) {
      parkedCompletion = () -> completeStep(plan, end);
      return;
    }
    steps++;
    modelStepNanos += plan.durationNanos();
    measuredStepNanos += Math.max(clock.nowNanos(), end) - plan.startNanos();
    engineNanos = end;
    try {
      core.complete(plan);
      releaseHeldLater();
      if (llumlet != null) {
        llumlet.onStepDone();
      }
    } catch (RuntimeException e) {
      logger.log(System.Logger.Level.ERROR, "engine step failed", e);
    }
    step();
  }

  private void releaseHeldLater() {
    // Prefill requests hold their blocks for a decode instance; free them if none comes.
    if (kvHoldTimeoutMillis > 0) {
      core.drainNewlyHeld(id -> vertx.setTimer(kvHoldTimeoutMillis, t -> {
        if (core.releaseHeld(id)) {
          loadChanged();
          kick(); // freed blocks may unblock the waiting queue
        }
      }));
    }
  }

  private long wallMillisUntil(long simNanos) {
    long wall = clock.wallNanosUntil(simNanos);
    return wall < 1_000_000 ? 0 : TimeUnit.NANOSECONDS.toMillis(wall);
  }
}
