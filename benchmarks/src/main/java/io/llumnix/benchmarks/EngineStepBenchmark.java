package io.llumnix.benchmarks;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.EngineStats;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.core.StepPlan;
import io.llumnix.enginesim.core.StepProfile;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU cost of one engine-core step (schedule + complete) with {@code batch} decoding requests:
 * divide by {@code batch} for the cost per emitted token, the HTTP layer excluded.
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar EngineStepBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EngineStepBenchmark {

  @Param({"1", "64", "256"})
  int batch;

  private EngineCore core;
  private long now;
  private int next;

  private static final RequestListener IGNORE = new RequestListener() {
    @Override
    public void onToken(SimRequest request, String text, long timeNanos) {}

    @Override
    public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {}
  };

  @Setup(Level.Iteration)
  public void setUp() {
    core = new EngineCore(CoreConfig.builder().numGpuBlocks(200_000).maxModelLen(1 << 20)
        .profile(StepProfile.LLAMA3_8B_H100).seed(1).build(), EngineStats.none());
    for (int i = 0; i < batch; i++) {
      add();
    }
    // Run the prefills so that the measured steps are pure decodes.
    while (core.numWaiting() > 0 || stepHasPrefill()) {
      step();
    }
  }

  private boolean stepHasPrefill() {
    return core.runningRequests().stream().anyMatch(r -> r.numOutputTokens() == 0)
        || core.waitingRequests().stream().anyMatch(r -> r.numOutputTokens() == 0);
  }

  private void add() {
    int[] prompt = new int[512];
    for (int t = 0; t < prompt.length; t++) {
      prompt[t] = (t * 31 + next * 7) % 100_000;
    }
    core.add(new SimRequest("r" + next++, prompt, 1 << 19, true, 0, 1 << 19, List.of(),
        new int[0], next, IGNORE), now);
  }

  private int step() {
    StepPlan plan = core.schedule(now);
    now = plan.endNanos();
    int size = plan.size();
    core.complete(plan);
    return size;
  }

  @Benchmark
  public int decodeStep() {
    return step();
  }
}
