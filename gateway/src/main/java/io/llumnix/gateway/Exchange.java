package io.llumnix.gateway;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.llumnix.gateway.admission.AdmittedRequest;
import io.llumnix.gateway.forward.ForwardListener;
import io.llumnix.gateway.forward.Forwarder;
import io.llumnix.gateway.health.EngineWatch;
import io.llumnix.gateway.observe.RequestObservation;
import io.llumnix.gateway.queue.SchedulingQueue;
import io.llumnix.gateway.relay.ClientWriter;
import io.llumnix.gateway.route.RawRequest;
import io.llumnix.gateway.route.Routing;
import io.llumnix.gateway.scheduling.Balancer;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.gateway.scheduling.LeaseRequest;
import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.OpenAiError;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One admitted request's life in the gateway, after admission: queued, scheduled (a lease),
 * forwarded, relayed, ended — each stage owned by its part, this class only moving the request
 * from one to the next.
 *
 * <p>Design notes. A failure before the first byte to the client (engine unreachable, 5xx, an
 * error event, a stream that ends without a finish) is retried on a newly scheduled instance up
 * to {@code --retry-max-count} times, after a backoff of min(10 ms · 2^attempt, 100 ms)
 * (attempt from 0), never on an endpoint that already failed it; after the first byte, the
 * client gets an error event and {@code [DONE]}. A client that leaves aborts the engine request
 * and releases its lease. Every path ends in exactly one {@code request_total} sample with the
 * status sent (499 for a client that left) and one end of the lease. A request the cluster
 * cannot serve — no instance free, or a failure that outlived its retries before any byte went
 * out — goes to the route config's fallback entries, when it has some ({@link Routing}). While
 * forwarding, the {@link EngineWatch} looks after it: an engine that goes silent and fails its
 * health check fails the request as a transport failure would. An instance that failed at the
 * transport level is named to the balancer when the lease ends, so it cools down. Runs on the
 * gateway's event loop, except {@link #run} and {@link #cancelled}, which the queue calls from
 * its own loop.
 */
final class Exchange implements SchedulingQueue.Job, ForwardListener, EngineWatch.Watched {

  /**
   * Where the request is; only {@link #DONE} is final. {@link #QUEUED} lasts until the queue's
   * decision is back on this request's loop (the queue may schedule it from another);
   * {@link #SCHEDULING} is a retry's own scheduling.
   */
  enum State { QUEUED, SCHEDULING, BACKING_OFF, FORWARDING, DONE }

  /** The parts every exchange uses. */
  record Parts(Clock clock, Balancer balancer, Forwarder forwarder, Routing routing,
      EngineWatch watch, int retryMaxCount, int maxQueueSize) {}

  private final Parts parts;
  private final HttpServerResponse response;
  private final AdmittedRequest request;
  private final RawRequest raw;
  private final RequestObservation observation;
  private final long created;
  /** The event loop this request lives on; the queue may run on another. */
  private final Thread loop = Thread.currentThread();
  private final Context context = Vertx.currentContext();
  /** Endpoints that failed this request: a retry never goes back to them. */
  private final Set<String> failed = new HashSet<>(2);
  /** Volatile: the queue asks {@link #cancelled} from the scheduling loop. */
  private volatile State state = State.QUEUED;
  private ClientWriter writer;
  private @Nullable Lease lease;
  private Forwarder.@Nullable Forwarding forwarding;
  private int attempt;
  /** When the engine last sent something; {@link Long#MAX_VALUE} while not forwarding. */
  private long engineActiveNanos = Long.MAX_VALUE;
  private @Nullable String finishReason;
  private @Nullable String answerModel;

  /** @param raw the request as the client sent it, for a fallback to an external server */
  Exchange(Parts parts, HttpServerResponse response, AdmittedRequest request, RawRequest raw,
      RequestObservation observation) {
    this.parts = parts;
    this.response = response;
    this.request = request;
    this.raw = raw;
    this.observation = observation;
    this.created = parts.clock().epochMillis() / 1000;
    this.writer = newWriter();
    response.closeHandler(ignored -> clientLeft());
  }

  State state() {
    return state;
  }

  private ClientWriter newWriter() {
    return ClientWriter.of(response, request.chat(), request.stream(),
        request.client().includeUsage(), request.id(), created);
  }

  // ---- queue

  @Override
  public int priority() {
    return request.client().priority();
  }

  @Override
  public boolean cancelled() {
    return state == State.DONE;
  }

  @Override
  public void rejected() {
    onOwnLoop(() -> end(OpenAiError.of(429, "the gateway queue is full ("
        + parts.maxQueueSize() + " requests waiting); retry later")));
  }

  /**
   * The queue's worker took it: on the queue's loop, which may not be this request's (see
   * {@link io.llumnix.gateway.queue.SchedulingQueue}), so only what admission fixed is read
   * here, and the request goes on on its own loop once the decision is in.
   */
  @Override
  public void run(Runnable done) {
    long start = parts.clock().nanoTime();
    observation.dequeued(start);
    parts.balancer().lease(ticket(Set.of())).onComplete(ar -> {
      // The decision is in now: the next request's scheduling, started next, is not part of it.
      observation.scheduled(start, parts.clock().nanoTime());
      done.run(); // the worker takes the next request at once, whatever this loop is doing
      onOwnLoop(() -> scheduled(ar));
    });
  }

  // ---- scheduling

  /** A retry's scheduling, on this request's loop. */
  private void schedule() {
    state = State.SCHEDULING;
    long start = parts.clock().nanoTime();
    parts.balancer().lease(ticket(Set.copyOf(failed))).onComplete(ar -> {
      observation.scheduled(start, parts.clock().nanoTime());
      scheduled(ar);
    });
  }

  private LeaseRequest ticket(Set<String> avoid) {
    return new LeaseRequest(request.id(), request.model(), parts.forwarder().mode(),
        request.prompt().length, request.prompt(), avoid);
  }

  /** Runs {@code task} on this request's loop: now when already there. */
  private void onOwnLoop(Runnable task) {
    if (Thread.currentThread() == loop) {
      task.run();
    } else {
      context.runOnContext(ignored -> task.run());
    }
  }

  private void scheduled(AsyncResult<Lease> ar) {
    if (state == State.DONE) { // the client left meanwhile
      if (ar.succeeded()) {
        ar.result().release();
      }
      return;
    }
    if (ar.failed()) {
      if (parts.routing().canFallback()) {
        fallBack();
        return;
      }
      end(ar.cause() instanceof OpenAiError e ? e
          : OpenAiError.of(503, "no available inference worker"));
      return;
    }
    lease = ar.result();
    state = State.FORWARDING;
    engineActiveNanos = parts.clock().nanoTime();
    parts.watch().watch(this);
    forwarding = parts.forwarder().forward(request, lease, this);
  }

  // ---- the engine watch

  @Override
  public long engineActiveNanos() {
    return state == State.FORWARDING ? engineActiveNanos : Long.MAX_VALUE;
  }

  @Override
  public List<LlmInstance> engines() {
    Lease held = lease;
    return held == null ? List.of() : held.instances();
  }

  @Override
  public void engineUnresponsive(String endpoint, String message) {
    Forwarder.Forwarding engine = forwarding;
    if (state != State.FORWARDING || engine == null) {
      return;
    }
    engine.abort(); // its callbacks stop here; the failure is this one
    onFailure(new Failure(502, Failure.NETWORK_ERROR, message, endpoint, true, null));
  }

  // ---- forwarding and relay

  @Override
  public void onChunk(CompletionChunk chunk, String data) {
    if (state != State.FORWARDING) {
      return;
    }
    long now = parts.clock().nanoTime();
    engineActiveNanos = now;
    if (chunk.isError()) {
      onFailure(Failure.errorEvent(chunk, lease.generating().endpoint()));
      return;
    }
    if (answerModel == null) {
      answerModel = request.model().isEmpty() ? CompletionChunk.model(data) : request.model();
    }
    if (chunk.usageLiteral != null) {
      observation.usage(chunk.promptTokens, chunk.completionTokens);
    }
    if (chunk.textLiteral != null) {
      if (chunk.finishReason != null) {
        finishReason = chunk.finishReason;
      }
      if (!chunk.emptyText) {
        if (observation.token(now)) {
          lease.prefillDone();
        }
        lease.tokens(observation.tokensSoFar());
      }
      writer.choice(chunk, answerModel);
    }
    if (chunk.usageLiteral != null) {
      writer.usage(chunk, answerModel);
    }
  }

  @Override
  public boolean clientBusy() {
    return response.writeQueueFull();
  }

  @Override
  public void whenWritable(Runnable resume) {
    response.drainHandler(drained -> {
      response.drainHandler(null);
      resume.run();
    });
  }

  @Override
  public void onEnd() {
    if (state != State.FORWARDING) {
      return;
    }
    if (finishReason == null) {
      onFailure(Failure.endedEarly(lease.generating().endpoint()));
      return;
    }
    state = State.DONE;
    parts.watch().forget(this);
    long start = parts.clock().nanoTime();
    writer.finish(answerModel(), observation.promptTokens(), observation.outputTokens());
    lease.finished();
    long now = parts.clock().nanoTime();
    observation.postprocessed(start, now);
    observation.ended(200, now);
  }

  @Override
  public void onFailure(Failure failure) {
    if (state != State.FORWARDING) {
      return;
    }
    if (!failure.endpoint().isEmpty()) {
      failed.add(failure.endpoint()); // before the lease ends, so the retry avoids it
    }
    endLease(failure.transport() ? failure.endpoint() : null);
    if (failure.retryable() && !writer.started() && attempt < parts.retryMaxCount()) {
      long backoff = Math.min(10L << attempt, 100);
      attempt++;
      observation.retried(failure.cause());
      state = State.BACKING_OFF;
      finishReason = null;
      writer = newWriter(); // nothing went out: the next try answers afresh
      parts.clock().setTimer(backoff, () -> {
        if (state == State.BACKING_OFF) {
          schedule();
        }
      });
      return;
    }
    if (failure.retryable() && !writer.started() && parts.routing().canFallback()) {
      fallBack();
      return;
    }
    if (failure.engineBody() != null && failure.status() < 500 && !writer.started()) {
      state = State.DONE;
      writer.relayError(failure.status(), failure.engineBody());
      observation.ended(failure.status(), parts.clock().nanoTime());
      return;
    }
    end(OpenAiError.of(failure.status(), failure.message()));
  }

  private String answerModel() {
    return answerModel == null ? request.model() : answerModel;
  }

  // ---- ends

  /** Ends it now with {@code error}, the engine's request aborted: the gateway is stopping. */
  void stop(OpenAiError error) {
    Forwarder.Forwarding engine = forwarding;
    if (state != State.DONE && engine != null) {
      engine.abort();
    }
    end(error);
  }

  /** Hands the request to the route config's fallback entries: the cluster cannot serve it. */
  private void fallBack() {
    state = State.DONE;
    endLease();
    parts.routing().external(parts.routing().table(), null, response, raw,
        status -> observation.ended(status, parts.clock().nanoTime()));
  }

  private void clientLeft() {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    Forwarder.Forwarding engine = forwarding;
    if (engine != null) {
      engine.abort();
    }
    endLease();
    observation.ended(499, parts.clock().nanoTime());
  }

  /** Ends the request with {@code error}: its status, or an error event after output. */
  private void end(OpenAiError error) {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    endLease();
    writer.fail(error);
    observation.ended(error.status(), parts.clock().nanoTime());
  }

  private void endLease() {
    endLease(null);
  }

  /** Ends the lease, naming {@code failedEndpoint} (when not null) as the one that failed. */
  private void endLease(@Nullable String failedEndpoint) {
    Lease held = lease;
    lease = null;
    forwarding = null;
    parts.watch().forget(this);
    if (held != null) {
      if (failedEndpoint != null) {
        held.failed(failedEndpoint);
      } else {
        held.release();
      }
    }
  }
}
