package io.llumnix.cli;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.gateway.GatewayConfig;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.llumnix.simulator.Capacity;
import io.llumnix.simulator.Comparison;
import io.llumnix.simulator.PolicyChoice;
import io.llumnix.simulator.SimulationSettings;
import io.llumnix.simulator.report.HtmlReport;
import io.llumnix.simulator.report.JsonReport;
import io.llumnix.simulator.report.SimulationReport;
import io.llumnix.simulator.report.TextReport;
import io.llumnix.simulator.workload.Arrivals;
import io.llumnix.simulator.workload.Lengths;
import io.llumnix.simulator.workload.SyntheticWorkload;
import io.llumnix.simulator.workload.TraceWorkload;
import io.llumnix.simulator.workload.Workload;
import io.llumnix.simulator.workload.WorkloadSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix simulate}: the cluster in virtual time, several policies side by side. */
@Command(name = "simulate", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES},
    sortOptions = false,
    description = "Run a workload through a simulated cluster in virtual time (the production "
        + "scheduler and policies, the engine simulator's core, the gateway's queue) once per "
        + "policy, and compare TTFT, TPOT, ITL, E2E, throughput, goodput and preemptions. "
        + "Deterministic: the same seed gives the same report.")
final class SimulateCommand implements Callable<Integer> {

  @CommandLine.Mixin ConfigFileOption config;

  @Option(names = "--instances", defaultValue = "4", description = "Engine instances.")
  int instances;

  @Option(names = "--policies", defaultValue = "full:load-balance",
      description = "Comma-separated policies: lite:NAME, full:NAME, or NAME (full mode's if "
          + "it has one, else lite's): e.g. round-robin,lite:load-balance,load-balance; "
          + "cache-aware; a full-mode NAME+rescheduling also runs the rescheduler "
          + "(--rescheduling-* flags). The first is the baseline of the ratios.")
  String policies;

  @Option(names = "--load", defaultValue = "0",
      description = "Arrival rate as a fraction of the cluster's capacity for the workload, "
          + "measured first by simulation (e.g. 0.9); 0: use --rate.")
  double load;

  @Option(names = "--rate", defaultValue = "0",
      description = "Arrivals per second (of sessions, with --session-turns > 1).")
  double rate;

  @Option(names = "--duration", defaultValue = "300",
      description = "Seconds of arrivals (virtual time); the run lasts until all are served.")
  double duration;

  @Option(names = "--num-requests", defaultValue = "0",
      description = "Stop arrivals after this many requests (0: no limit).")
  long numRequests;

  @Option(names = "--workload", defaultValue = "sharegpt",
      description = "Preset: sharegpt (heavy-tailed prompts ~220 and answers ~200 tokens) or "
          + "shared-prefix (the same with 200 tenants' 3000-token prefixes).")
  String workload;

  @Option(names = "--arrival", defaultValue = "poisson",
      description = "poisson, gamma:CV, or bursty:PERIOD_S.")
  String arrival;

  @Option(names = "--prompt-length", defaultValue = "",
      description = "Override the preset's prompt lengths: fixed:N, uniform:MIN-MAX, "
          + "exponential:MEAN, lognormal:MEAN:SIGMA, empirical:FILE.")
  String promptLength;

  @Option(names = "--output-length", defaultValue = "",
      description = "Override the preset's output lengths (same forms).")
  String outputLength;

  @Option(names = "--tenants", defaultValue = "-1",
      description = "Override the preset's tenants (shared prefixes); -1: the preset's.")
  int tenants;

  @Option(names = "--prefix-tokens", defaultValue = "-1",
      description = "Override the preset's prefix length; -1: the preset's.")
  int prefixTokens;

  @Option(names = "--session-turns", defaultValue = "1",
      description = "Turns per conversation; each turn's prompt extends the last turn's.")
  int sessionTurns;

  @Option(names = "--think-time", defaultValue = "5",
      description = "Mean seconds between an answer and the session's next turn.")
  double thinkTime;

  @Option(names = "--trace", paramLabel = "FILE", defaultValue = "",
      description = "Replay a JSONL trace (llumnix bench --record) instead of a preset.")
  String trace;

  @CommandLine.Mixin EngineSimCommand.CoreOptions core;

  @CommandLine.Mixin ReschedulingOptions rescheduling;

  @Option(names = "--cms-pull-status-interval-ms",
      defaultValue = "" + SchedulerConfig.DEFAULT_CMS_STATUS_INTERVAL_MILLIS,
      description = "Full mode: how often the scheduler reads the CMS.")
  long statusIntervalMillis;

  @Option(names = "--status-push-interval-ms", defaultValue = "40",
      description = "Full mode: the llumlets' status push interval.")
  long statusPushMillis;

  @Option(names = "--enable-instance-status-local-account", defaultValue = "true",
      negatable = true, fallbackValue = "true",
      description = "Full mode: count dispatches the statuses do not show yet.")
  boolean localAccount;

  @Option(names = "--dispatch-neutral-load-metric", defaultValue = "",
      description = "The load metric the load-balance policies compare: full mode "
          + "kv_cache_usage_ratio_projected (its default), decode_batch_size, "
          + "num_waiting_requests, all_prefills_tokens_num, all_decodes_tokens_num, "
          + "num_requests; lite mode num_requests (its default here) or num_tokens.")
  String neutralMetric;

  @Option(names = "--dispatch-top-k", defaultValue = "" + PolicyConfig.DEFAULT_TOP_K,
      description = "Choose at random among the k least loaded instances.")
  int topK;

  @Option(names = "--max-queue-size", defaultValue = "" + GatewayConfig.DEFAULT_MAX_QUEUE_SIZE,
      description = "The gateway's queue: the most requests waiting for scheduling.")
  int maxQueueSize;

  @Option(names = "--wait-queue-threads", defaultValue = "" + GatewayConfig.DEFAULT_QUEUE_WORKERS,
      description = "The gateway's queue workers, each scheduling one request at a time: with "
          + "the scheduling round trip, they bound the requests per second one gateway admits.")
  int queueWorkers;

  @Option(names = "--scheduling-rtt-us",
      defaultValue = "" + SimulationSettings.DEFAULT_SCHEDULING_RTT_MICROS,
      description = "Gateway-scheduler round trip, microseconds.")
  long schedulingRttMicros;

  @Option(names = "--network-us", defaultValue = "" + SimulationSettings.DEFAULT_NETWORK_MICROS,
      description = "One way gateway-engine and engine-client, microseconds.")
  long networkMicros;

  @Option(names = "--slo-ttft-ms", defaultValue = "0",
      description = "Goodput counts requests with TTFT at most this (0: any).")
  double sloTtft;

  @Option(names = "--slo-tpot-ms", defaultValue = "0",
      description = "... and TPOT at most this (0: any).")
  double sloTpot;

  @Option(names = "--sample-interval-ms", defaultValue = "1000",
      description = "How often each instance's load is sampled for the report.")
  long sampleIntervalMillis;

  @Option(names = "--parallel", defaultValue = "0",
      description = "Policies simulated at once, one per thread (0: one per processor). The "
          + "report is the same whatever the value; each run needs its own memory.")
  int parallel;

  @Option(names = "--output", paramLabel = "FILE", defaultValue = "",
      description = "Also write the report as JSON to FILE.")
  String output;

  @Option(names = "--html", paramLabel = "FILE", defaultValue = "",
      description = "Also write a self-contained HTML page with CDFs and load over time.")
  String html;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<PolicyChoice> choices = PolicyChoice.parseList(policies);
    ReschedulingConfig reschedulingConfig = rescheduling.config();
    if (reschedulingConfig.enabled()) {
      throw new IllegalArgumentException("simulate runs the rescheduler for the policies "
          + "labelled NAME" + PolicyChoice.RESCHEDULING + " (e.g. --policies flood,flood"
          + PolicyChoice.RESCHEDULING + "); drop --colocated/--standalone-rescheduling-mode");
    }
    CoreConfig coreConfig = core.config();
    Llumlet.Settings defaults = Llumlet.Settings.defaults();
    SimulationSettings settings = SimulationSettings.builder()
        .instances(instances)
        .core(coreConfig)
        .statusIntervalMillis(statusIntervalMillis)
        .localAccount(localAccount)
        .llumlet(new Llumlet.Settings(defaults.expiredSeconds(), statusPushMillis,
            defaults.metadataPushMillis(), defaults.heartbeatMillis(), defaults.stallMillis(),
            defaults.recentWaitingMillis()))
        .queue(maxQueueSize, queueWorkers, GatewayConfig.DEFAULT_QUEUE_FULL_WAIT_MILLIS)
        .network(schedulingRttMicros, networkMicros)
        .slo(sloTtft, sloTpot)
        .sampleIntervalMillis(sampleIntervalMillis)
        .neutralMetric(neutralMetric)
        .topK(topK)
        .seed(core.seed)
        .rescheduling(reschedulingConfig)
        .build();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> description = new LinkedHashMap<>();
    description.put("instances", String.valueOf(instances));
    description.put("profile", core.profile);
    description.put("engine", "--num-gpu-blocks " + coreConfig.numGpuBlocks()
        + " --block-size " + coreConfig.blockSize() + " --max-num-seqs "
        + coreConfig.maxNumSeqs() + " --max-num-batched-tokens "
        + coreConfig.maxNumBatchedTokens() + " --max-model-len " + coreConfig.maxModelLen()
        + " --enable-prefix-caching " + coreConfig.enablePrefixCaching());
    description.put("scheduler", "--cms-pull-status-interval-ms " + statusIntervalMillis
        + " --status-push-interval-ms " + statusPushMillis
        + " --enable-instance-status-local-account " + localAccount
        + (neutralMetric.isEmpty() ? "" : " --dispatch-neutral-load-metric " + neutralMetric)
        + " --dispatch-top-k " + topK);
    description.put("gateway", "--max-queue-size " + maxQueueSize + " --wait-queue-threads "
        + queueWorkers + " --scheduling-rtt-us " + schedulingRttMicros + " --network-us "
        + networkMicros);
    description.put("seed", String.valueOf(core.seed));
    Supplier<Workload> workloads;
    if (!trace.isEmpty()) {
      for (String flag : List.of("--load", "--rate", "--duration", "--num-requests",
          "--workload", "--arrival", "--prompt-length", "--output-length", "--tenants",
          "--prefix-tokens", "--session-turns", "--think-time")) {
        if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
          throw new IllegalArgumentException("--trace gives the requests and their arrivals: "
              + "drop " + flag);
        }
      }
      Path file = Path.of(trace);
      TraceWorkload.check(file);
      description.put("workload", "trace " + trace);
      workloads = () -> new TraceWorkload(file, coreConfig.maxModelLen(), core.seed);
    } else {
      WorkloadSpec workloadSpec = spec();
      double arrivals = rate;
      if ((load > 0) == (rate > 0)) {
        throw new IllegalArgumentException("give one of --load (a fraction of capacity, e.g. "
            + "0.9) or --rate (arrivals per second)");
      }
      description.put("workload", describe(workloadSpec));
      if (load > 0 && sessionTurns > 1) {
        throw new IllegalArgumentException("--load with --session-turns: capacity is measured "
            + "in requests, sessions arrive at --rate; give --rate (sessions per second)");
      }
      if (load > 0) {
        err.println("measuring the capacity of " + instances + " instances for this workload...");
        err.flush();
        double capacity = Capacity.requestsPerSecond(settings, workloadSpec);
        arrivals = load * capacity;
        description.put("capacity_req_s", format(capacity));
        description.put("load", format(load));
      }
      description.put(sessionTurns > 1 ? "rate_sessions_s" : "rate_req_s", format(arrivals));
      double admits = schedulingRttMicros == 0 ? Double.POSITIVE_INFINITY
          : queueWorkers * 1e6 / schedulingRttMicros;
      if (arrivals > admits) {
        err.printf(Locale.ROOT, "warning: the gateway admits at most %.0f requests/s "
            + "(--wait-queue-threads %d / --scheduling-rtt-us %d), below the %.0f asked: its "
            + "queue will refuse some; raise --wait-queue-threads, as one would run more "
            + "gateways%n", admits, queueWorkers, schedulingRttMicros, arrivals);
      }
      description.put("duration_s", format(duration));
      double finalRate = arrivals;
      workloads = () -> new SyntheticWorkload(workloadSpec, finalRate, duration, numRequests,
          coreConfig.maxModelLen(), core.seed);
    }
    if (parallel < 0) {
      throw new IllegalArgumentException("--parallel: " + parallel + " (expected: >= 0)");
    }
    int threads = parallel > 0 ? parallel : Runtime.getRuntime().availableProcessors();
    SimulationReport report = new Comparison(settings, choices, workloads, description, threads)
        .run(result -> {
          err.printf(Locale.ROOT, "%s: %d requests in %.1f s%n", result.name(),
              result.completed() + result.rejected(), result.wallSeconds());
          err.flush();
        }, (policy, seconds, ended) -> {
          err.printf(Locale.ROOT, "%s: %.0f s of virtual time, %d requests ended...%n", policy,
              seconds, ended);
          err.flush();
        });
    out.print(TextReport.render(report));
    out.flush();
    if (!output.isEmpty()) {
      Files.writeString(Path.of(output), JsonReport.render(report));
    }
    if (!html.isEmpty()) {
      Files.writeString(Path.of(html), HtmlReport.render(report));
    }
    return 0;
  }

  private WorkloadSpec spec() {
    WorkloadSpec preset = WorkloadSpec.preset(workload);
    return new WorkloadSpec(preset.name(), Arrivals.parse(arrival),
        promptLength.isEmpty() ? preset.prompt() : Lengths.parse(promptLength),
        outputLength.isEmpty() ? preset.output() : Lengths.parse(outputLength),
        tenants >= 0 ? tenants : preset.tenants(),
        prefixTokens >= 0 ? prefixTokens : preset.prefixTokens(), sessionTurns, thinkTime);
  }

  private static String describe(WorkloadSpec spec) {
    return spec.name() + ": --arrival " + spec.arrivals() + " --prompt-length " + spec.prompt()
        + " --output-length " + spec.output() + " --tenants " + spec.tenants()
        + " --prefix-tokens " + spec.prefixTokens() + " --session-turns " + spec.sessionTurns()
        + (spec.sessionTurns() > 1 ? " --think-time " + spec.thinkTimeSeconds() : "");
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }
}
