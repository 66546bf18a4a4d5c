package io.llumnix.simulator.cluster;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.gateway.queue.SchedulingQueue;
import io.llumnix.scheduler.LiteTracking;
import io.llumnix.scheduler.SchedulingService;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.simulator.SimulationSettings;
import io.llumnix.simulator.report.RunRecorder;
import io.llumnix.simulator.time.VirtualTime;
import io.llumnix.simulator.workload.Workload;
import io.llumnix.simulator.workload.WorkloadRequest;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The gateway in virtual time: each arrival enters the production {@link SchedulingQueue}; a
 * queue worker asks the scheduler (one round trip), re-asks a scheduler that found nothing
 * every retry interval until the scheduling timeout, falls back to round-robin when the
 * scheduler cannot schedule at all, and forwards the request to the chosen engine. Tokens reach
 * the client one network hop after the engine sampled them. In lite mode it reports tokens
 * every report interval and releases each finished request, as the real gateway does; in full
 * mode the engines' statuses tell the scheduler instead.
 *
 * <p>What it leaves out, as nothing in virtual time needs it: admission (requests arrive
 * already tokenized), the keepalive, and engine failures with their retries.
 */
public final class SimGateway {

  /** The id the simulated gateway registers with a lite-mode scheduler. */
  public static final String GATEWAY_ID = "sim-gateway:8089";
  private static final int[] NO_STOP_TOKENS = {};

  private final VirtualTime time;
  private final SimulationSettings settings;
  private final SchedulingService service;
  private final @Nullable LiteTracking lite;
  private final Map<String, SimEngine> engines;
  private final List<SimEngine> engineList;
  private final RunRecorder recorder;
  private final Workload workload;
  private final SchedulingQueue queue;
  private final Map<String, Flight> inFlight = new LinkedHashMap<>();
  /**
   * Hears every engine's output. One listener for all requests, not one per request: a token
   * then touches nothing of its request's gateway state, which keeps a 256-instance simulation
   * in cache (the engine stats record the gaps between tokens, {@link SimEngine.Counters}).
   */
  private final RequestListener engineOutput = new RequestListener() {
    @Override
    public void onToken(SimRequest request, String text, long timeNanos) {}

    @Override
    public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {
      inFlight.get(request.id()).finished(request, timeNanos);
    }
  };
  private final long halfRtt;
  private final long network;
  private int roundRobin;
  private long pendingFollowUps;

  public SimGateway(VirtualTime time, SimulationSettings settings, SchedulingService service,
      List<SimEngine> engines, RunRecorder recorder, Workload workload, GaugeDataPoint pending) {
    this.time = time;
    this.settings = settings;
    this.service = service;
    this.lite = service.lite();
    this.engineList = List.copyOf(engines);
    this.engines = new LinkedHashMap<>();
    engines.forEach(engine -> this.engines.put(engine.id(), engine));
    this.recorder = recorder;
    this.workload = workload;
    this.queue = new SchedulingQueue(time, settings.queueCapacity(), settings.queueWorkers(),
        settings.queueFullWaitMillis(), pending);
    this.halfRtt = settings.schedulingRttMicros() * 1000 / 2;
    this.network = settings.networkMicros() * 1000;
    if (lite != null && settings.reportIntervalMillis() > 0) {
      time.setPeriodic(settings.reportIntervalMillis(), this::report);
    }
  }

  /** Requests arrived and not yet ended, including session turns still to come. */
  public long open() {
    return inFlight.size() + pendingFollowUps;
  }

  /** {@code request} arrives now. */
  public void arrive(WorkloadRequest request) {
    recorder.arrived(time.nanoTime());
    Flight flight = new Flight(request, time.nanoTime());
    inFlight.put(request.id(), flight);
    queue.submit(flight);
  }

  /** The request ended; a completed turn of a session brings the next turn. */
  private void end(Flight flight, boolean completed) {
    inFlight.remove(flight.request.id());
    @Nullable WorkloadRequest next = completed
        ? workload.followUp(flight.request, time.nanoTime()) : null;
    if (next != null) {
      pendingFollowUps++;
      time.at(next.arrivalNanos(), () -> {
        pendingFollowUps--;
        arrive(next);
      });
    }
  }

  private void report() {
    List<ReportItem> items = new ArrayList<>();
    for (Flight flight : inFlight.values()) {
      int tokens = flight.engineRequest == null ? 0 : flight.engineRequest.numOutputTokens();
      if (flight.leased == null || tokens == 0) { // round-robin picks are not reported
        continue;
      }
      String id = flight.request.id();
      String instance = flight.instance.id();
      items.add(new ReportItem(ReportItem.Kind.STATE_UPDATE, id, "", InferType.NEUTRAL, instance,
          GATEWAY_ID, flight.request.promptTokenIds().length + tokens));
      if (!flight.prefillReported) {
        flight.prefillReported = true;
        items.add(new ReportItem(ReportItem.Kind.PREFILL_DONE, id, "", InferType.NEUTRAL,
            instance, GATEWAY_ID, 0));
      }
    }
    if (!items.isEmpty()) {
      lite.report(items);
    }
  }

  /** One request through the gateway: its queue job, and what the engine made of it. */
  private final class Flight implements SchedulingQueue.Job {
    final WorkloadRequest request;
    final long arrivalNanos;
    @Nullable SimEngine instance;
    @Nullable LlmInstance leased;
    @Nullable SimRequest engineRequest;
    long deadlineNanos;
    boolean prefillReported;

    Flight(WorkloadRequest request, long arrivalNanos) {
      this.request = request;
      this.arrivalNanos = arrivalNanos;
    }

    @Override
    public int priority() {
      return 0;
    }

    @Override
    public void run(Runnable done) {
      deadlineNanos = time.nanoTime() + settings.schedulingTimeoutMillis() * 1_000_000;
      ask(done);
    }

    private void ask(Runnable done) {
      time.after(halfRtt, () -> {
        service.schedule(SchedulingRequest.of(request.id(), "", GATEWAY_ID,
            SchedulingMode.NEUTRAL, SchedulingStage.PREFILL, request.promptTokenIds().length,
            request.promptTokenIds()))
            .onSuccess(outcome -> time.after(halfRtt, () -> answered(outcome, done)));
      });
    }

    private void answered(Outcome outcome, Runnable done) {
      switch (outcome) {
        case Outcome.Scheduled s when !s.answer().schedulingResult().isEmpty() -> {
          leased = s.answer().schedulingResult().get(0);
          forward(engines.get(leased.id()), done);
        }
        case Outcome.Failed f when f.status() == 429 && time.nanoTime() < deadlineNanos ->
            time.setTimer(settings.schedulingRetryMillis(), () -> ask(done));
        case Outcome.Failed f when f.status() == 429 -> {
          done.run();
          rejected();
        }
        default -> forward(engineList.get(Math.floorMod(++roundRobin, engineList.size())), done);
      }
    }

    private void forward(SimEngine engine, Runnable done) {
      instance = engine;
      done.run();
      SimRequest simRequest = new SimRequest(request.id(), request.promptTokenIds(),
          request.outputTokens(), true, 0, request.outputTokens(), List.of(), NO_STOP_TOKENS,
          request.outputSeed(), engineOutput);
      engineRequest = simRequest;
      time.after(network, () -> engine.submit(simRequest));
    }

    @Override
    public void rejected() {
      recorder.rejected(time.nanoTime());
      end(this, false);
    }

    @Override
    public boolean cancelled() {
      return false;
    }

    /** The engine finished the request at {@code timeNanos}: the client sees it a hop later. */
    void finished(SimRequest simRequest, long timeNanos) {
      int tokens = simRequest.numOutputTokens();
      if (tokens == 0) {
        recorder.rejected(timeNanos + network); // nothing came back: the client got an error
      } else {
        recorder.completed(arrivalNanos, simRequest.firstTokenNanos() + network,
            simRequest.lastTokenNanos() + network, tokens);
      }
      if (lite != null && leased != null) {
        SchedulingRequest release = SchedulingRequest.of(request.id(), "", GATEWAY_ID,
            SchedulingMode.NEUTRAL, SchedulingStage.PREFILL, 0, null)
            .withResult(List.of(leased));
        time.after(halfRtt, () -> service.release(release));
      }
      // The engine's event: the gateway hears of it one hop later.
      time.after(network, () -> end(this, tokens > 0));
    }
  }
}
