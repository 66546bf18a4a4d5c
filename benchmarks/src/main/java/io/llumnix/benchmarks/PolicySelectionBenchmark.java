package io.llumnix.benchmarks;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.scheduler.policy.InstanceView;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.llumnix.scheduler.policy.PolicyRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  private PolicyProfile profile;
  private List<View> views;

  /** A candidate with a fixed load and a cached id, as the LRS keeps them. */
  record View(LlmInstance instance, String id, int numRequests, long numTokens)
      implements InstanceView {}

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    views = new ArrayList<>(instances);
    for (int i = 0; i < instances; i++) {
      LlmInstance instance = LlmInstance.ofEndpoint("10.0." + (i / 250) + "." + (i % 250), 8000);
      views.add(new View(instance, instance.canonicalId(), random.nextInt(64),
          random.nextLong(100_000)));
    }
    String name = policy.startsWith("load-balance") ? "load-balance" : policy;
    int topK = policy.endsWith("top4") ? 4 : 1;
    profile = PolicyRegistry.builtins().create(name, new PolicyConfig(topK,
        Map.of(InferType.NEUTRAL, "num_requests"), Map.of(InferType.NEUTRAL, 32.0), 7))
        .profile(InferType.NEUTRAL);
  }

  @Benchmark
  public int select() {
    return profile.select(views);
  }
}
