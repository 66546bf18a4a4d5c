package io.llumnix.benchmarks;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.ManualClock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.dispatch.PolicyRegistry;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.lrs.LrsInstance;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
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
 * allocated per selection.
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

  @Param({"load-balance", "load-balance-top4", "round-robin"})
  String policy;

  private PolicyProfile<LrsInstance> profile;
  private List<LrsInstance> views;

  /** Lite-mode instances with random request counts, as the LRS keeps them. */
  @Setup
  public void setUp() {
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

  @Benchmark
  public int select() {
    return profile.select(views);
  }
}
