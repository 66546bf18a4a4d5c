package io.llumnix.benchmarks;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.dispatch.PolicyRegistry;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.lrs.LrsInstance;
import io.llumnix.scheduler.policy.InstanceView;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One dispatch decision (filters, fallback, selector) over {@code instances} candidates with
 * random loads. SampleTime mode reports the latency percentiles; {@code -prof gc} the bytes
 * allocated per selection (AverageTime mode, {@code -bm avgt}, gives the exact figure: sampling
 * mode's own bookkeeping adds a few bytes per operation).
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar PolicySelectionBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicySelectionBenchmark {

  @Param({"8", "128", "1024"})
  int instances;

  @Param({"load-balance", "load-balance-top4", "round-robin", "full-load-balance"})
  String policy;

  private PolicyProfile<? extends InstanceView> profile;
  private List<? extends InstanceView> views;

  /** Lite-mode instances with random request counts, as the LRS keeps them. */
  @Setup
  public void setUp() {
    if (policy.startsWith("full-")) {
      setUpFullMode();
      return;
    }
    SplittableRandom random = new SplittableRandom(1);
    LocalRealtimeState lrs = new LocalRealtimeState(ComponentMetrics.createWithoutRuntime(10_000));
    lrs.registerGateway("g");
    for (int i = 0; i < instances; i++) {
      LlmInstance instance = LlmInstance.ofEndpoint("10.0." + (i / 250) + "." + (i % 250), 8000);
      lrs.upsertInstance(instance);
      int requests = random.nextInt(64);
      for (int r = 0; r < requests; r++) {
        lrs.allocate("r" + i + "-" + r, instance.canonicalId(), "g", random.nextInt(2000));
      }
    }
    views = lrs.instances(InferType.NEUTRAL);
    String name = policy.startsWith("load-balance") ? "load-balance" : policy;
    int topK = policy.endsWith("top4") ? 4 : 1;
    profile = PolicyRegistry.builtins().create(io.llumnix.scheduler.dispatch.Mode.LITE, name, PolicyConfig.builder()
        .topK(topK).loadMetric(InferType.NEUTRAL, "num_requests")
        .loadThreshold(InferType.NEUTRAL, 32.0).seed(7).build(), ManualClock.at(0))
        .profile(InferType.NEUTRAL);
  }

  /**
   * Full-mode instances with fresh random statuses, read through the clock the scheduler uses
   * (the staleness filter reads it).
   */
  private void setUpFullMode() {
    SplittableRandom random = new SplittableRandom(1);
    Clock clock = new SystemTime();
    CmsView view = new CmsView(ComponentMetrics.createWithoutRuntime(10_000), true, 10, false,
        clock);
    List<InstanceMetadata> all = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      all.add(InstanceMetadata.newBuilder().setInstanceId("10.0." + (i / 250) + "." + (i % 250)
          + ":8000").setInstanceType("neutral").setIp("10.0." + (i / 250) + "." + (i % 250))
          .setApiServerPort(8000).setNodeId("node-" + i / 8).setUnitId("u" + i)
          .setDataParallelSize(1).build());
    }
    view.applyMetadata(all);
    long now = clock.epochMillis();
    for (InstanceMetadata metadata : all) {
      view.acceptStatus(InstanceStatus.newBuilder().setInstanceId(metadata.getInstanceId())
          .setSchedulable(true).setTimestampMs(now + 3_600_000).setUpdateId(1).setStepId(1)
          .setNumTotalGpuTokens(467_280).setNumUsedGpuTokens(random.nextInt(400_000))
          .setNumRunningRequests(random.nextInt(64)).setNumWaitingRequests(random.nextInt(4))
          .setNumUncomputedTokensAllWaitingPrefills(random.nextInt(4000)).build());
    }
    views = view.instances(InferType.NEUTRAL);
    profile = PolicyRegistry.builtins().create(io.llumnix.scheduler.dispatch.Mode.FULL,
        "load-balance", PolicyConfig.builder().seed(7).build(), clock)
        .profile(InferType.NEUTRAL);
  }

  /** The system's time without timers: no event loop runs beside the measured thread. */
  private static final class SystemTime implements Clock {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public long epochMillis() {
      return System.currentTimeMillis();
    }

    @Override
    public long setTimer(long delayMillis, Runnable task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long setPeriodic(long periodMillis, Runnable task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean cancelTimer(long id) {
      return false;
    }
  }

  @Benchmark
  @SuppressWarnings({"unchecked", "rawtypes"})
  public int select() {
    return ((PolicyProfile) profile).select(views);
  }
}
