package io.llumnix.enginesim.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One simulated engine: vLLM v1's scheduler ({@code vllm/v1/core/sched/scheduler.py}) over a
 * paged KV cache, advanced one step at a time by its caller.
 *
 * <pre>{@code
 * StepPlan plan = core.schedule(now);         // decide the batch, allocate blocks
 * if (plan != null) {
 *   now = plan.endNanos();                    // the step takes plan.durationNanos()
 *   core.complete(plan);                      // sample tokens, finish requests
 * }
 * }</pre>
 *
 * <p>Design notes. Each step spends a token budget: running requests first, in admission order,
 * each getting the tokens it still lacks (1 for a decode, a chunk for a prefill); a running
 * request that cannot get blocks preempts the newest running one (its blocks are freed but stay
 * cached, it goes back to the head of the waiting queue and later recomputes). Waiting requests
 * are admitted in FCFS order only in a step without preemption, while budget and
 * {@code maxNumSeqs} allow; the first that cannot get blocks blocks the queue. A new request
 * first looks its prompt up in the prefix cache, by the chain hash of each full block, up to
 * {@code prompt - 1} tokens. Blocks are allocated only for tokens scheduled now, so preemption
 * comes from decode growth. A request whose computed tokens reach its known tokens samples one
 * token at the end of the step. Not thread-safe: one thread owns an engine.
 */
public final class EngineCore {

  private final CoreConfig config;
  private final EngineStats stats;
  private final KvCacheManager kv;
  private final PrefixCacheListener listener;
  private final ArrayList<SimRequest> running = new ArrayList<>();
  private final ArrayDeque<SimRequest> waiting = new ArrayDeque<>();
  private final Map<String, SimRequest> live = new HashMap<>();
  private final HeldRequests held = new HeldRequests();
  private final StepPlan plan = new StepPlan();
  private final StopRules stopRules;
  private final StepPlanner planner;
  /** Whether a request finished in the step being completed: the running list then shrinks. */
  private boolean finishedInStep;
  private long lastNowNanos;
  /** What {@link #touch} read; never used. */
  @SuppressWarnings("unused")
  private long touched;

  public EngineCore(CoreConfig config, EngineStats stats) {
    this(config, stats, PrefixCacheListener.NONE);
  }

  /** An engine whose prefix cache tells {@code listener} what it stores and evicts. */
  public EngineCore(CoreConfig config, EngineStats stats, PrefixCacheListener listener) {
    this.config = config;
    this.stats = stats;
    this.listener = listener;
    this.kv = new KvCacheManager(config, stats, listener);
    this.stopRules = new StopRules(config.maxModelLen());
    this.planner = new StepPlanner(config, stats, kv, running, waiting, plan);
  }

  public CoreConfig config() {
    return config;
  }

  /** Queues {@code request}, arrived at {@code nowNanos}. */
  public void add(SimRequest request, long nowNanos) {
    if (live.containsKey(request.id()) || held.contains(request.id())) {
      throw new IllegalArgumentException("request id already in use: " + request.id());
    }
    request.arrivalNanos = nowNanos;
    request.quietUntil = stopRules.quietUntil(request);
    live.put(request.id(), request);
    waiting.addLast(request);
  }

  /** Whether a request with {@code id} is queued, running, or holding blocks for transfer. */
  public boolean contains(String id) {
    return live.containsKey(id) || held.contains(id);
  }

  /**
   * Aborts request {@code id}: it leaves the queues, its blocks are freed (they stay cached) and
   * its listener hears {@link FinishReason#ABORT}. Returns false for an unknown id.
   */
  public boolean abort(String id, long nowNanos) {
    SimRequest request = live.get(id);
    if (request == null) {
      return releaseHeld(id);
    }
    if (!running.remove(request)) {
      waiting.remove(request);
    }
    request.holdBlocksOnFinish = false;
    finish(request, FinishReason.ABORT, nowNanos);
    return true;
  }

  /**
   * Ends request {@code id} with {@link FinishReason#ERROR} and {@code message} (a failed KV
   * transfer, say), freeing its blocks. Returns false for an unknown id.
   */
  public boolean fail(String id, String message, long nowNanos) {
    SimRequest request = live.get(id);
    if (request == null) {
      return false;
    }
    if (!running.remove(request)) {
      waiting.remove(request);
    }
    request.holdBlocksOnFinish = false;
    request.errorMessage = message;
    finish(request, FinishReason.ERROR, nowNanos);
    return true;
  }

  /**
   * The KV of waiting request {@code id}, computed elsewhere, arrives at {@code readyNanos}.
   * Returns false for an unknown id or a request not waiting for remote KV.
   */
  public boolean remoteKvReady(String id, long readyNanos) {
    SimRequest request = live.get(id);
    if (request == null || request.status != SimRequest.Status.WAITING_FOR_REMOTE_KVS) {
      return false;
    }
    request.remoteKvReadyNanos = readyNanos;
    return true;
  }

  /**
   * Frees the blocks that the finished prefill request {@code id} holds for a decode instance.
   * Returns false when it holds none.
   */
  public boolean releaseHeld(String id) {
    SimRequest request = held.release(id);
    if (request == null) {
      return false;
    }
    kv.freeBlocks(request);
    return true;
  }

  /**
   * Takes request {@code id} out of this engine without finishing it (a migration's last
   * stage): it leaves the queues and frees its blocks, its listener hears nothing. Returns it,
   * or null for an unknown id.
   */
  public @Nullable SimRequest detach(String id) {
    SimRequest request = live.remove(id);
    if (request == null) {
      return null;
    }
    if (!running.remove(request)) {
      waiting.remove(request);
    }
    kv.freeBlocks(request);
    // Not running here any more: a step under way that includes it must not sample for it,
    // even once it runs again (here, or on the engine it moved to).
    plan.drop(request);
    request.status = SimRequest.Status.WAITING;
    request.numComputed = 0;
    return request;
  }

  /**
   * Takes in a request that ran elsewhere, arrived {@code ageNanos} before {@code nowNanos}:
   * with its KV ({@code withKv}: all its tokens but the last sampled one are computed, as a
   * running request's are between steps) it runs from the next step; without, it waits and
   * computes them. Returns false, changing nothing, when its KV does not fit in the free blocks.
   */
  public boolean attach(SimRequest request, boolean withKv, long nowNanos, long ageNanos) {
    if (live.containsKey(request.id()) || held.contains(request.id())) {
      return false;
    }
    request.arrivalNanos = nowNanos - ageNanos;
    request.quietUntil = stopRules.quietUntil(request);
    if (withKv) {
      int computed = request.numTokens - 1;
      request.numComputed = 0;
      if (!kv.allocateSlots(request, computed)) {
        kv.freeBlocks(request);
        return false;
      }
      request.numComputed = computed;
      request.numCachedTokens = 0;
      request.scheduledNanos = request.arrivalNanos;
      request.status = SimRequest.Status.RUNNING;
      running.add(request);
    } else {
      waiting.addLast(request);
    }
    live.put(request.id(), request);
    return true;
  }

  /** Free blocks the KV of {@code tokens} tokens needs. */
  public int blocksFor(int tokens) {
    return (tokens + config.blockSize() - 1) / config.blockSize();
  }

  /**
   * Decides the next step at {@code nowNanos}: which requests run and how many tokens each
   * computes, allocating their blocks. Returns null when nothing can run; the returned plan is
   * reused by the next call, so use it before scheduling again.
   */
  public @Nullable StepPlan schedule(long nowNanos) {
    lastNowNanos = nowNanos;
    planner.fill(nowNanos);
    listener.stepPlanned();
    if (plan.size() == 0) {
      return null;
    }
    plan.finish(planner.durationNanos());
    return plan;
  }

  /**
   * Completes {@code plan} at its end time: advances each request, samples a token for each
   * request whose KV is complete, and finishes requests that stop.
   */
  public void complete(StepPlan plan) {
    long now = plan.endNanos();
    lastNowNanos = now;
    touch(plan);
    int iterationTokens = 0;
    for (int i = 0; i < plan.size(); i++) {
      SimRequest request = plan.request(i);
      if (request.finished() || request.status != SimRequest.Status.RUNNING) {
        continue; // aborted or preempted during the step
      }
      int n = plan.tokens(i);
      if (n == 0) {
        continue; // left the engine during the step
      }
      if (request.numComputed < request.numPromptTokens()) {
        iterationTokens += Math.min(n, request.numPromptTokens() - request.numComputed);
      }
      request.numComputed += n;
      if (request.numComputed == request.numTokens) {
        iterationTokens++;
        sample(request, now);
      }
    }
    if (finishedInStep) {
      running.removeIf(SimRequest::finished);
      finishedInStep = false;
    }
    stats.onStep(running.size(), waiting.size(), kv.usage(), iterationTokens);
  }

  /**
   * Reads a field from each cache line of each request of {@code plan}, in a loop of independent
   * loads, so that the processor fetches the lines side by side: with many engines, a request's
   * state has left the cache by the end of its step, and the loop that completes the step,
   * which reads one request at a time, would wait for each fetch in turn (a third of a
   * 256-engine simulation's time, before this).
   */
  private void touch(StepPlan plan) {
    long sum = 0;
    for (int i = 0; i < plan.size(); i++) {
      SimRequest request = plan.request(i); // a field from each of its cache lines
      sum += request.outputSeed() + request.lastTokenNanos + request.numPromptTokens()
          + request.numComputed + request.status.ordinal();
    }
    touched = sum; // kept, so the reads are not optimized away
  }

  /**
   * The earliest known time a request waiting for remote KV becomes ready, or -1 when none
   * waits or none knows yet.
   */
  public long nextRemoteKvReadyNanos() {
    long next = -1;
    for (SimRequest request : waiting) {
      if (request.status == SimRequest.Status.WAITING_FOR_REMOTE_KVS
          && request.remoteKvReadyNanos != Long.MAX_VALUE
          && (next < 0 || request.remoteKvReadyNanos < next)) {
        next = request.remoteKvReadyNanos;
      }
    }
    return next;
  }

  public int numRunning() {
    return running.size();
  }

  public int numWaiting() {
    return waiting.size();
  }

  /** Prompt tokens whose blocks finished request {@code id} holds, or -1. */
  public int heldTokens(String id) {
    return held.tokens(id);
  }

  /**
   * Hands {@code action} the id of each request that started holding its blocks since the last
   * call, once, so the caller can time out the hold without scanning every held request.
   */
  public void drainNewlyHeld(Consumer<String> action) {
    held.drainNew(action);
  }

  public int numFreeBlocks() {
    return kv.freeCount();
  }

  public double kvCacheUsage() {
    return kv.usage();
  }

  public long numPreemptions() {
    return planner.preemptions();
  }

  /**
   * The running requests, in the order they were admitted: a view, valid until the engine next
   * changes. The llumlet reads it and {@link #waitingRequests} on every status write (hundreds
   * of requests, every 40 ms), where copying them was a twentieth of a 256-instance full-mode
   * simulation, and walking the map of live requests a tenth.
   */
  public List<SimRequest> runningRequests() {
    return Collections.unmodifiableList(running);
  }

  /**
   * The requests not running (waiting, preempted, waiting for remote KV), first come first: a
   * view, valid until the engine next changes. With {@link #runningRequests}, every live one.
   */
  public Collection<SimRequest> waitingRequests() {
    return Collections.unmodifiableCollection(waiting);
  }

  private void sample(SimRequest request, long now) {
    int word = OutputWords.wordIndex(request.outputSeed(), request.numOutput);
    int token = OutputWords.tokenId(word);
    String text = config.positionalOutput() ? " " + request.numOutput : OutputWords.text(word);
    if (request.numOutput == 0) {
      request.firstTokenNanos = now;
      stats.onFirstToken((now - request.arrivalNanos) / 1e9, request.numPromptTokens());
    } else {
      stats.onDecodeToken((now - request.lastTokenNanos) / 1e9);
    }
    request.lastTokenNanos = now;
    request.numTokens++; // the token itself follows from the seed: SimRequest.tokenAt
    request.numOutput++;

    FinishReason reason = stopRules.check(request, token, text);
    // Known before onToken, so that the last token's chunk can carry the finish reason. A
    // running request's reason is null until then: not writing null spares a cache line.
    if (reason != null) {
      request.finishReason = reason;
    }
    request.listener().onToken(request, stopRules.visibleText(), now);
    if (reason != null) {
      finishedInStep = true;
      finish(request, reason, now);
    }
  }

  private void finish(SimRequest request, FinishReason reason, long now) {
    request.status = SimRequest.Status.FINISHED;
    request.finishReason = reason;
    live.remove(request.id());
    if (request.holdBlocksOnFinish && reason == FinishReason.LENGTH) {
      held.hold(request);
    } else {
      kv.freeBlocks(request);
    }
    stats.onFinish(request, reason, now / 1e9);
    request.listener().onFinish(request, reason, now);
  }
}
