package io.llumnix.simulator;

import io.llumnix.simulator.report.PolicyResult;
import io.llumnix.simulator.report.SimulationReport;
import io.llumnix.simulator.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Several policies over the same workload, each on a fresh cluster and a fresh copy of the
 * workload from the same seed, so that they differ only by the policy. Runs share nothing, so
 * up to {@code parallelism} of them run at once, one per thread; the report is the same
 * whatever the parallelism.
 *
 * @param workloads a new, identical workload each call
 * @param description the settings as the report shows them
 * @param parallelism how many runs at once (at least 1)
 */
public record Comparison(SimulationSettings settings, List<PolicyChoice> policies,
    Supplier<Workload> workloads, Map<String, String> description, int parallelism) {

  public Comparison {
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallel: " + parallelism + " (expected: >= 1)");
    }
  }

  /** One run at a time. */
  public Comparison(SimulationSettings settings, List<PolicyChoice> policies,
      Supplier<Workload> workloads, Map<String, String> description) {
    this(settings, policies, workloads, description, 1);
  }

  /** Runs every policy; {@code done} hears each result as it is ready, from any thread. */
  public SimulationReport run(Consumer<PolicyResult> done) {
    return run(done, Simulation.Progress.NONE);
  }

  /**
   * Runs every policy; {@code done} hears each result as it is ready and {@code progress} how
   * far each run has come, from any thread (one at a time).
   */
  public SimulationReport run(Consumer<PolicyResult> done, Simulation.Progress progress) {
    Simulation.Progress serialized = (policy, seconds, ended) -> {
      synchronized (done) {
        progress.update(policy, seconds, ended);
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, policies.size()));
    try {
      List<Future<PolicyResult>> runs = new ArrayList<>();
      for (PolicyChoice policy : policies) {
        runs.add(pool.submit(() -> {
          PolicyResult result = runOne(policy, serialized);
          synchronized (done) {
            done.accept(result);
          }
          return result;
        }));
      }
      List<PolicyResult> results = new ArrayList<>();
      for (Future<PolicyResult> run : runs) {
        results.add(run.get());
      }
      return new SimulationReport(description, results);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private PolicyResult runOne(PolicyChoice policy, Simulation.Progress progress) {
    Workload workload = workloads.get();
    try {
      return Simulation.run(settings, policy, workload, progress);
    } finally {
      if (workload instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
