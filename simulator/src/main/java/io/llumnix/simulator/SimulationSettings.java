package io.llumnix.simulator;

import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.gateway.GatewayConfig;
import io.llumnix.gateway.scheduling.SchedulerSettings;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;

/**
 * The simulated cluster: its engines, the scheduler's and the gateway's settings, the network
 * between them, and what the report measures against. Built with {@link #builder()}; the
 * defaults are those of a real deployment ({@code llumnix local}'s parts with their defaults).
 *
 * @param instances engine instances, all neutral
 * @param core each engine's limits and step model; instance {@code i} seeds its jitter with
 *     {@code core.seed() + i}
 * @param statusIntervalMillis full mode: how often the scheduler reads the CMS
 * @param localAccount full mode: count dispatches the statuses do not show yet
 * @param llumlet full mode: how each engine's llumlet publishes
 * @param queueCapacity the gateway's {@code --max-queue-size}
 * @param queueWorkers the gateway's {@code --wait-queue-threads}
 * @param queueFullWaitMillis the gateway's {@code --wait-queue-interval}
 * @param schedulingRetryMillis the gateway re-asks a scheduler that found no instance after this
 * @param schedulingTimeoutMillis ... until this, then refuses the request (503)
 * @param reportIntervalMillis lite mode: the gateway reports tokens this often
 * @param schedulingRttMicros a round trip from the gateway to the scheduler
 * @param networkMicros one way from the gateway to an engine, and from the engine to the client
 * @param sloTtftMillis a request meets its SLO with TTFT at most this (0: any)
 * @param sloTpotMillis ... and TPOT at most this (0: any)
 * @param sampleIntervalMillis how often each instance's load is sampled for the report
 * @param neutralMetric the load metric of neutral requests, as
 *     {@code --dispatch-neutral-load-metric}; "" for the mode's default (full mode: the
 *     reference's, lite mode: {@code num_requests}, as {@code llumnix local})
 * @param topK the load-balance policies choose at random among this many least loaded
 * @param seed seeds the workload, the engines' jitter and the policies' random choices
 * @param rescheduling how the policies labelled {@code +rescheduling} reschedule (its mode is
 *     colocated whatever it says: the simulation has one scheduler)
 * @param kvTransfer how fast migrations copy KV between engines
 */
public record SimulationSettings(int instances, CoreConfig core, long statusIntervalMillis,
    boolean localAccount, Llumlet.Settings llumlet, int queueCapacity, int queueWorkers,
    long queueFullWaitMillis, long schedulingRetryMillis, long schedulingTimeoutMillis,
    long reportIntervalMillis, long schedulingRttMicros, long networkMicros,
    double sloTtftMillis, double sloTpotMillis, long sampleIntervalMillis, String neutralMetric,
    int topK, long seed, ReschedulingConfig rescheduling, KvTransferSettings kvTransfer) {

  /** {@value}: a round trip inside one Kubernetes cluster, with the scheduler's decision. */
  public static final long DEFAULT_SCHEDULING_RTT_MICROS = 500;
  /** {@value} */
  public static final long DEFAULT_NETWORK_MICROS = 100;

  public SimulationSettings {
    if (instances < 1) {
      throw new IllegalArgumentException("--instances: " + instances + " (expected: >= 1)");
    }
    if (schedulingRttMicros < 0 || networkMicros < 0) {
      throw new IllegalArgumentException("--scheduling-rtt-us " + schedulingRttMicros
          + " and --network-us " + networkMicros + " (expected: >= 0)");
    }
    // Nobody reads a simulated engine's block hashes (cache awareness follows block contents),
    // and vLLM's SHA-256 per block would cost more than the rest of the engine.
    core = core.withFastPrefixHash();
    long kvTokens = (long) (core.numGpuBlocks() - 1) * core.blockSize();
    if (core.maxModelLen() > kvTokens) {
      // vLLM refuses such an engine: a request as long as the model allows could never run,
      // and in a simulation it would wait forever.
      throw new IllegalArgumentException("--max-model-len " + core.maxModelLen() + " exceeds "
          + "the KV cache: " + kvTokens + " tokens (--num-gpu-blocks - 1) x --block-size");
    }
    if (topK < 1) {
      throw new IllegalArgumentException("--dispatch-top-k: " + topK + " (expected: >= 1)");
    }
    if (sampleIntervalMillis < 1) {
      throw new IllegalArgumentException(
          "--sample-interval-ms: " + sampleIntervalMillis + " (expected: >= 1)");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link SimulationSettings}; unset values are the defaults. */
  public static final class Builder {
    private int instances = 4;
    private CoreConfig core = CoreConfig.defaults();
    private long statusIntervalMillis = SchedulerConfig.DEFAULT_CMS_STATUS_INTERVAL_MILLIS;
    private boolean localAccount = true;
    private Llumlet.Settings llumlet = Llumlet.Settings.defaults();
    private int queueCapacity = GatewayConfig.DEFAULT_MAX_QUEUE_SIZE;
    private int queueWorkers = GatewayConfig.DEFAULT_QUEUE_WORKERS;
    private long queueFullWaitMillis = GatewayConfig.DEFAULT_QUEUE_FULL_WAIT_MILLIS;
    private long schedulingRetryMillis = SchedulerSettings.DEFAULT_WAIT_SCHEDULING_RETRY_MILLIS;
    private long schedulingTimeoutMillis =
        SchedulerSettings.DEFAULT_WAIT_SCHEDULING_TIMEOUT_MILLIS;
    private long reportIntervalMillis = SchedulerSettings.DEFAULT_REPORT_INTERVAL_MILLIS;
    private long schedulingRttMicros = DEFAULT_SCHEDULING_RTT_MICROS;
    private long networkMicros = DEFAULT_NETWORK_MICROS;
    private double sloTtftMillis;
    private double sloTpotMillis;
    private long sampleIntervalMillis = 1000;
    private String neutralMetric = "";
    private int topK = PolicyConfig.DEFAULT_TOP_K;
    private long seed;
    private ReschedulingConfig rescheduling = ReschedulingConfig.builder().build();
    private KvTransferSettings kvTransfer = KvTransferSettings.DEFAULT;

    private Builder() {}

    public Builder instances(int instances) {
      this.instances = instances;
      return this;
    }

    public Builder core(CoreConfig core) {
      this.core = core;
      return this;
    }

    public Builder statusIntervalMillis(long millis) {
      this.statusIntervalMillis = millis;
      return this;
    }

    public Builder localAccount(boolean enabled) {
      this.localAccount = enabled;
      return this;
    }

    public Builder llumlet(Llumlet.Settings settings) {
      this.llumlet = settings;
      return this;
    }

    public Builder queue(int capacity, int workers, long fullWaitMillis) {
      this.queueCapacity = capacity;
      this.queueWorkers = workers;
      this.queueFullWaitMillis = fullWaitMillis;
      return this;
    }

    public Builder schedulingRetry(long retryMillis, long timeoutMillis) {
      this.schedulingRetryMillis = retryMillis;
      this.schedulingTimeoutMillis = timeoutMillis;
      return this;
    }

    public Builder reportIntervalMillis(long millis) {
      this.reportIntervalMillis = millis;
      return this;
    }

    public Builder network(long schedulingRttMicros, long networkMicros) {
      this.schedulingRttMicros = schedulingRttMicros;
      this.networkMicros = networkMicros;
      return this;
    }

    public Builder slo(double ttftMillis, double tpotMillis) {
      this.sloTtftMillis = ttftMillis;
      this.sloTpotMillis = tpotMillis;
      return this;
    }

    public Builder sampleIntervalMillis(long millis) {
      this.sampleIntervalMillis = millis;
      return this;
    }

    public Builder neutralMetric(String metric) {
      this.neutralMetric = metric;
      return this;
    }

    public Builder topK(int topK) {
      this.topK = topK;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder rescheduling(ReschedulingConfig config) {
      this.rescheduling = config;
      return this;
    }

    public Builder kvTransfer(KvTransferSettings settings) {
      this.kvTransfer = settings;
      return this;
    }

    public SimulationSettings build() {
      return new SimulationSettings(instances, core, statusIntervalMillis, localAccount,
          llumlet, queueCapacity, queueWorkers, queueFullWaitMillis, schedulingRetryMillis,
          schedulingTimeoutMillis, reportIntervalMillis, schedulingRttMicros, networkMicros,
          sloTtftMillis, sloTpotMillis, sampleIntervalMillis, neutralMetric, topK, seed,
          rescheduling, kvTransfer);
    }
  }
}
