package io.llumnix.simulator;

import io.llumnix.scheduler.dispatch.Mode;
import io.llumnix.simulator.report.RunRecorder;
import io.llumnix.simulator.workload.SyntheticWorkload;
import io.llumnix.simulator.workload.WorkloadSpec;

/**
 * A cluster's capacity for a workload, measured the way one would on hardware: one instance
 * offered far more than it can serve (every request at once), the rate at which it admits
 * requests (their first tokens) once its batch is full and while its queue is still long, times
 * the number of instances. Admissions, not completions: the engine admits in arrival order, so
 * they are a fair sample of the workload, while the first completions are the short answers.
 * {@code --load 0.9} then means arrivals at 90% of it. Routing cannot beat this bound by
 * balancing, only by reusing cache.
 */
public final class Capacity {

  /** Requests of the saturating run: enough to reach a steady batch, few enough to be quick. */
  static final int SATURATING_REQUESTS = 10_000;

  private Capacity() {}

  /** Requests per second the whole cluster of {@code settings} serves of {@code spec}. */
  public static double requestsPerSecond(SimulationSettings settings, WorkloadSpec spec) {
    SimulationSettings one = SimulationSettings.builder()
        .instances(1)
        .core(settings.core())
        .queue(SATURATING_REQUESTS, settings.queueWorkers(), settings.queueFullWaitMillis())
        .schedulingRetry(settings.schedulingRetryMillis(), Long.MAX_VALUE / 2_000_000)
        .network(0, 0)
        .sampleIntervalMillis(60_000)
        .seed(settings.seed())
        .build();
    // All arrivals within the first millisecond: the engine is never short of work.
    SyntheticWorkload workload = new SyntheticWorkload(spec, SATURATING_REQUESTS * 1e6, 1e-3,
        SATURATING_REQUESTS, settings.core().maxModelLen(), settings.seed());
    RunRecorder recorder = Simulation.runKeepingFirstTokens(one,
        new PolicyChoice("capacity", Mode.LITE, "round-robin"), workload, SATURATING_REQUESTS);
    long[] admitted = recorder.firstTokenTimes();
    // From 40% to 90% of admissions: after the first full batch, before the queue runs dry.
    int from = SATURATING_REQUESTS * 4 / 10;
    int to = SATURATING_REQUESTS * 9 / 10;
    long span = to < admitted.length ? admitted[to] - admitted[from] : -1;
    if (span <= 0) {
      throw new IllegalStateException("the capacity run completed " + recorder.completed()
          + " of " + SATURATING_REQUESTS + " requests");
    }
    return (to - from) / (span / 1e9) * settings.instances();
  }
}
