package io.llumnix.enginesim.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.SplittableRandom;

/**
 * The planning half of {@link EngineCore}'s step: which requests run and how many tokens each
 * computes, allocating their blocks, preempting when blocks run out (the rules are in
 * {@link EngineCore}'s notes). Works on the core's own queues; not thread-safe.
 */
final class StepPlanner {

  private final CoreConfig config;
  private final EngineStats stats;
  private final KvCacheManager kv;
  private final ArrayList<SimRequest> running;
  private final ArrayDeque<SimRequest> waiting;
  private final StepPlan plan;
  private final SplittableRandom jitterRandom;
  /** Waiting requests passed over this step (their remote KV is not there yet). */
  private final ArrayList<SimRequest> skipped = new ArrayList<>();
  private long preemptions;

  StepPlanner(CoreConfig config, EngineStats stats, KvCacheManager kv,
      ArrayList<SimRequest> running, ArrayDeque<SimRequest> waiting, StepPlan plan) {
    this.config = config;
    this.stats = stats;
    this.kv = kv;
    this.running = running;
    this.waiting = waiting;
    this.plan = plan;
    this.jitterRandom = new SplittableRandom(config.seed());
  }

  /** Fills {@code plan}, cleared for a step starting at {@code nowNanos}. */
  void fill(long nowNanos) {
    plan.clear(nowNanos);
    int budget = config.maxNumBatchedTokens();
    boolean preempted = false;

    for (int i = 0; i < running.size() && budget > 0; i++) {
      SimRequest request = running.get(i);
      int n = Math.min(Math.min(request.numTokens - request.numComputed, budget),
          config.maxModelLen() - 1 - request.numComputed);
      if (n <= 0) {
        continue;
      }
      boolean self = false;
      while (!kv.allocateSlots(request, n)) {
        SimRequest victim = running.remove(running.size() - 1);
        preempt(victim);
        preempted = true;
        if (victim == request) {
          self = true;
          break;
        }
      }
      if (self) {
        break;
      }
      kv.cacheFullBlocks(request, request.numComputed + n);
      plan.add(request, n);
      budget -= n;
    }

    if (!preempted) {
      while (budget > 0 && running.size() < config.maxNumSeqs() && !waiting.isEmpty()) {
        SimRequest request = waiting.peekFirst();
        if (request.status == SimRequest.Status.WAITING_FOR_REMOTE_KVS) {
          if (request.remoteKvReadyNanos > nowNanos) {
            skipped.add(waiting.pollFirst());
            continue;
          }
          kv.loadRemoteKv(request);
        } else if (request.numComputed == 0) {
          kv.lookupPrefixCache(request);
        }
        int n = Math.min(request.numTokens - request.numComputed, budget);
        if (!kv.allocateSlots(request, n)) {
          // Give back the cache hits it took; it looks again when blocks are free.
          kv.freeBlocks(request);
          request.numComputed = 0;
          if (request.remoteKvReadyNanos >= 0 && request.numOutput == 0) {
            request.status = SimRequest.Status.WAITING_FOR_REMOTE_KVS;
          }
          break;
        }
        waiting.pollFirst();
        request.status = SimRequest.Status.RUNNING;
        if (request.scheduledNanos < 0) {
          request.scheduledNanos = nowNanos;
        }
        running.add(request);
        kv.cacheFullBlocks(request, request.numComputed + n);
        plan.add(request, n);
        budget -= n;
      }
      for (int i = skipped.size() - 1; i >= 0; i--) {
        waiting.addFirst(skipped.get(i));
      }
      skipped.clear();
    }
  }

  long preemptions() {
    return preemptions;
  }

  /** The planned step's model time, with the configured jitter. */
  long durationNanos() {
    long nanos = plan.modelNanos(config.profile());
    if (config.jitter() > 0 && nanos > 0) {
      nanos = Math.round(nanos * (1 + config.jitter() * (2 * jitterRandom.nextDouble() - 1)));
    }
    return nanos;
  }

  private void preempt(SimRequest victim) {
    kv.freeBlocks(victim);
    victim.numComputed = 0;
    victim.status = SimRequest.Status.PREEMPTED;
    waiting.addFirst(victim);
    preemptions++;
    stats.onPreemption();
  }
}
