package io.llumnix.simulator.cluster;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.EngineStats;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.PrefixCacheListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.core.StepPlan;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.kvs.events.BlockRemoved;
import io.llumnix.kvs.events.BlockStored;
import io.llumnix.kvs.hash.TokenSource;
import io.llumnix.scheduler.cache.LocalPrefixIndex;
import io.llumnix.simulator.report.RunRecorder;
import io.llumnix.simulator.time.VirtualTime;
import org.jspecify.annotations.Nullable;

/**
 * One engine instance in virtual time: the engine simulator's own {@link EngineCore}, stepped
 * back to back while it has work, each step taking the step model's duration, and, in full
 * mode, the production {@link Llumlet} publishing its status to the CMS. The calls into the
 * llumlet follow the real engine's ({@code EngineInstance}): a load change on arrival, on a
 * step scheduled and on going idle, a step done after each step.
 */
public final class SimEngine {

  private final String id;
  private final String host;
  private final VirtualTime time;
  private final EngineCore core;
  private final Counters counters;
  private @Nullable Llumlet llumlet;
  private @Nullable StepPlan inFlight;

  /** What the engine's stats add up to over a run. */
  public static final class Counters implements EngineStats {
    private final RunRecorder recorder;
    long preemptions;
    long lookupTokens;
    long hitTokens;

    @Override public void onStep(int running, int waiting, double usage, int tokens) {}

    @Override
    public void onPrefixCacheLookup(int queried, int hits) {
      lookupTokens += queried;
      hitTokens += hits;
    }

    @Override
    public void onPreemption() {
      preemptions++;
    }

    @Override public void onFirstToken(double ttft, int promptTokens) {}

    Counters(RunRecorder recorder) {
      this.recorder = recorder;
    }

    /** The engine's gap between two tokens is the client's: the network adds a constant. */
    @Override
    public void onDecodeToken(double itlSeconds) {
      recorder.tokenGap(Math.round(itlSeconds * 1e9));
    }

    @Override public void onFinish(SimRequest r, FinishReason reason, double now) {}

    public long preemptions() {
      return preemptions;
    }

    public long lookupTokens() {
      return lookupTokens;
    }

    public long hitTokens() {
      return hitTokens;
    }
  }

  /**
   * @param host the address the instance is known by (its CMS metadata, lite mode's instance)
   * @param recorder hears the gaps between tokens
   */
  public SimEngine(String id, String host, CoreConfig config, VirtualTime time,
      RunRecorder recorder) {
    this(id, host, config, time, recorder, null);
  }

  /**
   * An engine that reports what its prefix cache stores and evicts into {@code prefixIndex}
   * (cache-aware scheduling), when given.
   */
  public SimEngine(String id, String host, CoreConfig config, VirtualTime time,
      RunRecorder recorder, @Nullable LocalPrefixIndex prefixIndex) {
    this.id = id;
    this.host = host;
    this.time = time;
    this.counters = new Counters(recorder);
    this.core = new EngineCore(config, counters, prefixIndex == null ? PrefixCacheListener.NONE
        : new IndexFeed(id, prefixIndex));
  }

  /** The engine's prefix cache as KV-cache events, applied to the scheduler's index at once. */
  private record IndexFeed(String id, LocalPrefixIndex index) implements PrefixCacheListener {
    @Override
    public void stored(long[] hashes, int from, int to, int blockSize, TokenSource tokens) {
      index.stored(id, BlockStored.ofRun(hashes, from, to, blockSize, tokens));
    }

    @Override
    public void removed(long hash) {
      index.removed(id, new BlockRemoved(hash));
    }
  }

  /** Full mode: the llumlet that publishes this engine; start it before requests arrive. */
  public void attach(Llumlet llumlet) {
    this.llumlet = llumlet;
  }

  public String id() {
    return id;
  }

  public String host() {
    return host;
  }

  /** The core, for building its llumlet and reading its load. */
  public EngineCore core() {
    return core;
  }

  public Counters counters() {
    return counters;
  }

  /**
   * Takes out request {@code id} for a move to another engine (it frees its blocks and stops
   * here); null for an unknown id.
   */
  public @Nullable SimRequest release(String id) {
    SimRequest request = core.detach(id);
    if (request != null && llumlet != null) {
      llumlet.changed();
    }
    return request;
  }

  /**
   * Takes in {@code request}, moved here with its KV ({@code withKv}) or without, arrived
   * {@code ageNanos} ago; false when its KV does not fit.
   */
  public boolean adopt(SimRequest request, boolean withKv, long ageNanos) {
    if (!core.attach(request, withKv, time.nanoTime(), ageNanos)) {
      return false;
    }
    if (llumlet != null) {
      llumlet.changed();
    }
    if (inFlight == null) {
      step();
    }
    return true;
  }

  /** Queues {@code request} now and starts stepping if idle. */
  public void submit(SimRequest request) {
    core.add(request, time.nanoTime());
    if (llumlet != null) {
      llumlet.changed();
      llumlet.onArrival(request.id());
    }
    if (inFlight == null) {
      step();
    }
  }

  private void step() {
    StepPlan plan = core.schedule(time.nanoTime());
    if (plan == null) {
      inFlight = null;
      if (llumlet != null) {
        llumlet.changed();
      }
      return;
    }
    inFlight = plan;
    if (llumlet != null) {
      llumlet.changed(); // requests moved from waiting to running
    }
    time.at(plan.endNanos(), this::complete);
  }

  private void complete() {
    core.complete(inFlight);
    if (llumlet != null) {
      llumlet.onStepDone();
    }
    step();
  }
}
