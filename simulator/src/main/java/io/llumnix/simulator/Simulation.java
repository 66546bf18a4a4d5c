package io.llumnix.simulator;

import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.enginesim.llumlet.EngineMetadata;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.SchedulingService;
import io.llumnix.scheduler.cache.CacheAwareConfig;
import io.llumnix.scheduler.cache.KvsBackend;
import io.llumnix.scheduler.cache.LocalPrefixIndex;
import io.llumnix.scheduler.dispatch.Mode;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.llumnix.simulator.cluster.SimEngine;
import io.llumnix.simulator.cluster.SimGateway;
import io.llumnix.simulator.cluster.SimLlumlets;
import io.llumnix.simulator.report.PolicyResult;
import io.llumnix.simulator.report.RunRecorder;
import io.llumnix.simulator.time.VirtualTime;
import io.llumnix.simulator.workload.Workload;
import io.llumnix.simulator.workload.WorkloadRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * One policy over one workload, in virtual time: engines with their llumlets, the production
 * scheduler built as {@code llumnix scheduler} builds it ({@link SchedulingService#create}), and
 * the gateway, all on one {@link VirtualTime}. The run ends when the workload has no more
 * requests and every request has ended; the same settings and workload give the same result.
 */
public final class Simulation {

  private final SimulationSettings settings;
  private final PolicyChoice policy;
  private final VirtualTime time = new VirtualTime();
  private final List<SimEngine> engines = new ArrayList<>();
  private final RunRecorder recorder;
  private final SchedulingService service;
  private final SimGateway gateway;
  private final Workload workload;
  private boolean workloadDone;
  private Progress progress = Progress.NONE;

  private Simulation(SimulationSettings settings, PolicyChoice policy, Workload workload) {
    this(settings, policy, workload, ComponentMetrics.createWithoutRuntime(
        Math.max(ComponentMetrics.DEFAULT_MAX_LABEL_SETS, settings.instances() * 2)));
  }

  /** @param metrics the scheduler's and gateway's metrics (a test reads them) */
  Simulation(SimulationSettings settings, PolicyChoice policy, Workload workload,
      ComponentMetrics metrics) {
    this.settings = settings;
    this.policy = policy;
    this.workload = workload;
    boolean full = policy.mode() == Mode.FULL;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < settings.instances(); i++) {
      ids.add("instance-" + i);
    }
    recorder = new RunRecorder(settings.sloTtftMillis(), settings.sloTpotMillis(), ids);
    // Cache awareness as with vLLM's KV-cache events: engines report blocks as they cache and
    // evict them, straight into the scheduler's index.
    LocalPrefixIndex prefixIndex = policy.cacheAware() ? new LocalPrefixIndex(time) : null;
    for (int i = 0; i < settings.instances(); i++) {
      engines.add(new SimEngine(ids.get(i), "10.0." + (i / 250) + "." + (i % 250 + 1),
          settings.core().withSeed(settings.core().seed() + i), time, recorder, prefixIndex));
    }
    SchedulerConfig config = SchedulerConfig.builder()
        .fullMode(full)
        .policy(policy.policy())
        .policyConfig(policyConfig(settings, full))
        .cmsStatusIntervalMillis(settings.statusIntervalMillis())
        .localAccount(settings.localAccount())
        .cacheAware(CacheAwareConfig.builder().enabled(policy.cacheAware())
            .backend(KvsBackend.KV_EVENTS).build())
        .rescheduling(policy.rescheduling()
            ? settings.rescheduling().withMode(ReschedulingConfig.Mode.COLOCATED)
            : ReschedulingConfig.builder().build())
        .build();
    if (full) {
      InMemoryCmsStore store = new InMemoryCmsStore(time::epochMillis);
      for (SimEngine engine : engines) {
        Llumlet llumlet = new Llumlet(time, store, settings.llumlet(), metadata(engine),
            engine.core());
        engine.attach(llumlet);
        llumlet.start();
      }
      service = SchedulingService.create(config, metrics, time, store, prefixIndex,
          new SimLlumlets(time, engines, settings.kvTransfer()));
    } else {
      service = SchedulingService.create(config, metrics, time, null);
      service.lite().registerGateway(SimGateway.GATEWAY_ID);
      for (SimEngine engine : engines) {
        service.lite().up(new LlmInstance(0, engine.id(), "", InferType.NEUTRAL, engine.host(),
            8000, "", 0, 0, 0));
      }
    }
    gateway = new SimGateway(time, settings, service, engines, recorder, workload,
        metrics.gauge(LlumnixMetrics.GATEWAY_PENDING_REQUESTS).labels());
  }

  /**
   * The policies' settings: the reference's defaults, except that lite mode counts requests,
   * as {@code llumnix local} configures it, and the neutral metric and top-k given.
   */
  private static PolicyConfig policyConfig(SimulationSettings settings, boolean full) {
    PolicyConfig.Builder builder = (full ? PolicyConfig.builder() : PolicyConfig.liteBuilder())
        .seed(settings.seed()).topK(settings.topK());
    if (!settings.neutralMetric().isEmpty()) {
      builder.loadMetric(InferType.NEUTRAL, settings.neutralMetric());
    }
    return builder.build();
  }

  private static InstanceMetadata metadata(SimEngine engine) {
    // The llumlet port only says that Migrate is served: the rescheduler reaches the
    // simulated engines without a network (SimLlumlets).
    return EngineMetadata.of(engine.id(), "neutral", engine.host(), 8000, 28000,
        engine.core().config(), VirtualTime.EPOCH_ORIGIN_MILLIS / 1000.0).setLlumletPort(9000)
        .build();
  }


  /** Hears how far a run has come, every few seconds of wall time, on the run's thread. */
  public interface Progress {
    /** {@code policy} has simulated {@code virtualSeconds}; {@code ended} requests ended. */
    void update(String policy, double virtualSeconds, long ended);

    /** Hears nothing. */
    Progress NONE = (policy, virtualSeconds, ended) -> { };
  }

  /** How often a run looks at the wall clock: every this many events. */
  private static final int PROGRESS_EVENTS = 1 << 16;
  private static final long PROGRESS_NANOS = 5_000_000_000L;

  /** Runs {@code policy} over {@code workload} to the end. */
  public static PolicyResult run(SimulationSettings settings, PolicyChoice policy,
      Workload workload) {
    return run(settings, policy, workload, Progress.NONE);
  }

  /** Runs {@code policy} over {@code workload} to the end, telling {@code progress}. */
  public static PolicyResult run(SimulationSettings settings, PolicyChoice policy,
      Workload workload, Progress progress) {
    Simulation simulation = new Simulation(settings, policy, workload);
    simulation.progress = progress;
    return simulation.run();
  }

  /**
   * Runs {@code policy} over {@code workload} to the end, keeping the first-token times of
   * {@code count} requests; returns the recorder that holds them.
   */
  static RunRecorder runKeepingFirstTokens(SimulationSettings settings, PolicyChoice policy,
      Workload workload, int count) {
    Simulation simulation = new Simulation(settings, policy, workload);
    simulation.recorder.keepFirstTokenTimes(count);
    simulation.run();
    return simulation.recorder;
  }

  PolicyResult run() {
    long wallStart = System.nanoTime();
    service.start();
    time.setPeriodic(settings.sampleIntervalMillis(), this::sample);
    pull();
    long[] events = {0};
    long[] lastReport = {wallStart};
    time.runUntil(() -> {
      if ((++events[0] & (PROGRESS_EVENTS - 1)) == 0 && System.nanoTime() - lastReport[0]
          > PROGRESS_NANOS) {
        lastReport[0] = System.nanoTime();
        progress.update(policy.label(), time.nanoTime() / 1e9,
            recorder.completed() + recorder.rejected());
      }
      return workloadDone && gateway.open() == 0;
    });
    service.stop();
    long preemptions = 0;
    long lookups = 0;
    long hits = 0;
    for (SimEngine engine : engines) {
      preemptions += engine.counters().preemptions();
      lookups += engine.counters().lookupTokens();
      hits += engine.counters().hitTokens();
    }
    return recorder.result(policy.label(), preemptions, lookups == 0 ? 0 : (double) hits / lookups,
        settings.sampleIntervalMillis() / 1000.0, (System.nanoTime() - wallStart) / 1e9);
  }

  /** Schedules the workload's next arrival; one is pending at a time. */
  private void pull() {
    WorkloadRequest request = workload.next();
    if (request == null) {
      workloadDone = true;
      return;
    }
    time.at(request.arrivalNanos(), () -> {
      gateway.arrive(request);
      pull();
    });
  }

  private void sample() {
    int[] requests = new int[engines.size()];
    double[] kv = new double[engines.size()];
    for (int i = 0; i < engines.size(); i++) {
      requests[i] = engines.get(i).core().numRunning() + engines.get(i).core().numWaiting();
      kv[i] = engines.get(i).core().kvCacheUsage();
    }
    recorder.sample(requests, kv);
  }
}
