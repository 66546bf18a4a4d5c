package io.llumnix.enginesim;

import io.llumnix.enginesim.api.EngineHandle;
import io.llumnix.enginesim.api.OpenAiRoutes;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.core.StepPlan;
import io.llumnix.enginesim.text.Tokenizer;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
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
public final class EngineInstance extends VerticleBase implements EngineHandle {

  private static final System.Logger logger = System.getLogger(EngineInstance.class.getName());

  private final EngineSettings settings;
  private final String host;
  private final int port;
  private final int kvTransferPort;
  private final String engineLabel;
  private final Tokenizer tokenizer;
  private final SimClock clock;
  private final ComponentMetrics metrics;
  private final EngineMetrics engineMetrics;
  private final EngineCore core;
  private final SplittableRandom lengths;
  private final String engineId = UUID.randomUUID().toString();
  private final long kvHoldTimeoutMillis;
  private long engineNanos;
  private boolean stepping;
  private long wakeupTimer = -1;
  private @Nullable HttpServer server;

  /**
   * Creates instance {@code index} of a simulator process.
   *
   * @param metrics the registry this instance's {@code /metrics} serves
   */
  public EngineInstance(EngineSettings settings, String host, int port, int kvTransferPort,
      int index, Tokenizer tokenizer, SimClock clock, ComponentMetrics metrics,
      long kvHoldTimeoutMillis) {
    this.settings = settings;
    this.host = host;
    this.port = port;
    this.kvTransferPort = kvTransferPort;
    this.engineLabel = String.valueOf(index);
    this.tokenizer = tokenizer;
    this.clock = clock;
    this.metrics = metrics;
    this.kvHoldTimeoutMillis = kvHoldTimeoutMillis;
    this.engineMetrics = new EngineMetrics(metrics, settings, engineLabel);
    this.core = new EngineCore(settings.core(), engineMetrics);
    this.lengths = new SplittableRandom(settings.core().seed() * 31 + index);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new OpenAiRoutes(settings, tokenizer, this).mount(router);
    OperatorRoutes.mount(router, metrics, () -> true);
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(port, host)
        .onSuccess(s -> server = s);
  }

  /** The port the HTTP server listens on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? port : s.actualPort();
  }

  /** The engine core, for tests; only touch it on this instance's context. */
  EngineCore core() {
    return core;
  }

  @Override
  public void submit(SimRequest request) {
    engineNanos = Math.max(engineNanos, clock.nowNanos());
    core.add(request, engineNanos);
    engineMetrics.onQueues(core.numRunning(), core.numWaiting(), core.kvCacheUsage());
    kick();
  }

  @Override
  public void abort(String requestId) {
    if (core.abort(requestId, Math.max(engineNanos, clock.nowNanos()))) {
      engineMetrics.onQueues(core.numRunning(), core.numWaiting(), core.kvCacheUsage());
    }
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
    return kvTransferPort;
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
      engineMetrics.onQueues(core.numRunning(), core.numWaiting(), core.kvCacheUsage());
      long nextReady = core.nextRemoteKvReadyNanos();
      if (nextReady >= 0) {
        wakeupTimer = vertx.setTimer(wallMillisUntil(nextReady), id -> {
          wakeupTimer = -1;
          kick();
        });
      }
      return;
    }
    stepping = true;
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
    engineNanos = end;
    try {
      core.complete(plan);
      releaseHeldLater();
    } catch (RuntimeException e) {
      logger.log(System.Logger.Level.ERROR, "engine step failed", e);
    }
    step();
  }

  private void releaseHeldLater() {
    // Prefill requests hold their blocks for a decode instance; free them if none comes.
    if (core.numHeld() > 0 && kvHoldTimeoutMillis > 0) {
      for (String id : core.heldIds()) {
        if (heldTimers.add(id)) {
          vertx.setTimer(kvHoldTimeoutMillis, t -> {
            heldTimers.remove(id);
            if (core.releaseHeld(id)) {
              engineMetrics.onQueues(core.numRunning(), core.numWaiting(), core.kvCacheUsage());
            }
          });
        }
      }
    }
  }

  private final java.util.Set<String> heldTimers = new java.util.HashSet<>();

  private long wallMillisUntil(long simNanos) {
    long wall = clock.wallNanosUntil(simNanos);
    return wall < 1_000_000 ? 0 : TimeUnit.NANOSECONDS.toMillis(wall);
  }
}
