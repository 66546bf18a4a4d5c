package io.llumnix.enginesim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * vLLM's dynamics on the engine core, driven step by step in simulated time: nothing here
 * sleeps or reads a clock.
 */
class EngineCoreTest {

  /** Drives a core: the test's simulated clock is {@code now}. */
  static final class Driver {
    final EngineCore core;
    long now;
    final List<StepPlan> steps = new ArrayList<>();
    final List<Integer> stepSizes = new ArrayList<>();

    Driver(CoreConfig config) {
      core = new EngineCore(config, EngineStats.none());
    }

    /** Runs one step; false when nothing could run. */
    boolean step() {
      StepPlan plan = core.schedule(now);
      if (plan == null) {
        return false;
      }
      stepSizes.add(plan.size());
      now = plan.endNanos();
      core.complete(plan);
      return true;
    }

    void runUntilIdle() {
      for (int i = 0; i < 1_000_000 && step(); i++) {
        // keep stepping
      }
    }
  }

  /** Records what the engine tells one request. */
  static final class Recorder implements RequestListener {
    final List<Long> tokenTimes = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    FinishReason reason;
    long finishedAt = -1;

    @Override
    public void onToken(SimRequest request, String token, long timeNanos) {
      tokenTimes.add(timeNanos);
      text.append(token);
    }

    @Override
    public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {
      this.reason = reason;
      this.finishedAt = timeNanos;
    }
  }

  static CoreConfig config(int budget, int maxSeqs, int blocks) {
    return CoreConfig.builder().maxNumBatchedTokens(budget).maxNumSeqs(maxSeqs)
        .numGpuBlocks(blocks).seed(1).build();
  }

  static int[] prompt(int length, int salt) {
    return IntStream.range(0, length).map(i -> (i * 7919 + salt * 104729) % 50_000).toArray();
  }

  static SimRequest request(String id, int[] prompt, int maxTokens, Recorder recorder) {
    return new SimRequest(id, prompt, maxTokens, true, 0, maxTokens, List.of(), new int[0],
        id.hashCode(), recorder);
  }

  @Test
  void queuesWhenTheTokenBudgetIsFull() {
    Driver d = new Driver(config(1024, 256, 10_000));
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    d.core.add(request("a", prompt(1000, 1), 4, first), 0);
    d.core.add(request("b", prompt(1000, 2), 4, second), 0);

    StepPlan plan = d.core.schedule(0);
    assertThat(plan.size()).isEqualTo(2); // a gets 1000 tokens, b a 24-token chunk
    assertThat(plan.tokens(0)).isEqualTo(1000);
    assertThat(plan.tokens(1)).isEqualTo(24);
    d.now = plan.endNanos();
    d.core.complete(plan);
    d.runUntilIdle();

    assertThat(first.tokenTimes.get(0)).isLessThan(second.tokenTimes.get(0));
    assertThat(second.reason).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void queuesWhenMaxNumSeqsIsReached() {
    Driver d = new Driver(config(8192, 2, 10_000));
    Recorder[] r = {new Recorder(), new Recorder(), new Recorder()};
    for (int i = 0; i < 3; i++) {
      d.core.add(request("r" + i, prompt(100, i), 5, r[i]), 0);
    }
    StepPlan plan = d.core.schedule(0);
    assertThat(plan.size()).isEqualTo(2);
    assertThat(d.core.numWaiting()).isEqualTo(1);
    d.now = plan.endNanos();
    d.core.complete(plan);
    d.runUntilIdle();
    // The third starts only when one of the first two finished.
    assertThat(r[2].tokenTimes.get(0)).isGreaterThanOrEqualTo(r[0].finishedAt);
    assertThat(r[2].reason).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void sharedPrefixIsServedFromCacheWithLowerTtft() {
    Driver d = new Driver(config(8192, 256, 10_000));
    int[] shared = prompt(2048, 9);
    int[] second = IntStream.concat(IntStream.of(shared), IntStream.of(1, 2, 3, 4, 5, 6, 7))
        .toArray();
    Recorder cold = new Recorder();
    SimRequest first = request("cold", IntStream.concat(IntStream.of(shared),
        IntStream.of(9, 9, 9)).toArray(), 2, cold);
    d.core.add(first, 0);
    d.runUntilIdle();
    long coldTtft = cold.tokenTimes.get(0);

    long arrival = d.now;
    Recorder warm = new Recorder();
    SimRequest hit = request("warm", second, 2, warm);
    d.core.add(hit, arrival);
    d.runUntilIdle();

    assertThat(first.numCachedTokens()).isZero();
    assertThat(hit.numCachedTokens()).isEqualTo(2048);
    assertThat(warm.tokenTimes.get(0) - arrival).isLessThan(coldTtft / 3);
  }

  @Test
  void runningOutOfBlocksPreemptsTheNewestRequestWhichLaterCompletes() {
    // 20 usable blocks of 16 tokens; two requests of 120 prompt tokens (8 blocks each) that
    // each want 100 more tokens cannot both fit.
    Driver d = new Driver(config(8192, 256, 21));
    Recorder older = new Recorder();
    Recorder newer = new Recorder();
    d.core.add(request("older", prompt(120, 1), 100, older), 0);
    d.core.add(request("newer", prompt(120, 2), 100, newer), 0);
    d.runUntilIdle();

    assertThat(d.core.numPreemptions()).isPositive();
    assertThat(older.reason).isEqualTo(FinishReason.LENGTH);
    assertThat(newer.reason).isEqualTo(FinishReason.LENGTH);
    assertThat(older.tokenTimes).hasSize(100);
    assertThat(newer.tokenTimes).hasSize(100);
    assertThat(older.finishedAt).isLessThan(newer.finishedAt);
    assertThat(d.core.numFreeBlocks()).isEqualTo(20);
  }

  @Test
  void abortingFreesBlocks() {
    Driver d = new Driver(config(8192, 256, 1000));
    Recorder recorder = new Recorder();
    d.core.add(request("x", prompt(500, 3), 1000, recorder), 0);
    d.step();
    d.step();
    assertThat(d.core.numFreeBlocks()).isLessThan(999);

    assertThat(d.core.abort("x", d.now)).isTrue();
    assertThat(recorder.reason).isEqualTo(FinishReason.ABORT);
    assertThat(d.core.numFreeBlocks()).isEqualTo(999);
    assertThat(d.core.numRunning()).isZero();
    assertThat(d.step()).isFalse();
  }

  @Test
  void ttftAndTpotFollowTheStepModel() {
    Driver d = new Driver(config(8192, 256, 10_000));
    Recorder recorder = new Recorder();
    d.core.add(request("solo", prompt(1024, 5), 11, recorder), 0);
    d.runUntilIdle();

    StepProfile p = StepProfile.LLAMA3_8B_H100;
    long expectedTtft = p.stepNanos(1024, 0, 0, 1024 * 512.0);
    assertThat(recorder.tokenTimes.get(0)).isEqualTo(expectedTtft);
    // The step model: TTFT of 1k tokens on H100 is about 24 ms; TPOT at batch 1 about 7.5 ms.
    assertThat(expectedTtft / 1e6).isCloseTo(24, within(2.0));
    for (int i = 1; i < recorder.tokenTimes.size(); i++) {
      long context = 1024 + i;
      long itl = recorder.tokenTimes.get(i) - recorder.tokenTimes.get(i - 1);
      assertThat(itl).isEqualTo(p.stepNanos(0, 1, context, 0));
      assertThat(itl / 1e6).isCloseTo(7.5, within(0.5));
    }
  }

  @Test
  void stopStringsEndTheOutputBeforeThem() {
    Driver d = new Driver(config(8192, 256, 1000));
    Recorder probe = new Recorder();
    d.core.add(new SimRequest("probe", prompt(10, 1), 6, true, 0, 6, List.of(), new int[0], 42,
        probe), 0);
    d.runUntilIdle();
    String full = probe.text.toString();
    String third = full.split(" ")[3];

    Recorder recorder = new Recorder();
    SimRequest stopped = new SimRequest("stopped", prompt(10, 1), 6, true, 0, 6,
        List.of(" " + third), new int[0], 42, recorder);
    d.core.add(stopped, d.now);
    d.runUntilIdle();

    assertThat(recorder.reason).isEqualTo(FinishReason.STOP);
    assertThat(stopped.stopReason()).isEqualTo(" " + third);
    assertThat(recorder.text.toString()).isEqualTo(full.substring(0, full.indexOf(" " + third)));
  }

  @Test
  void eosEndsAnOutputEarlyButNotBeforeMinTokens() {
    Driver d = new Driver(config(8192, 256, 1000));
    Recorder early = new Recorder();
    d.core.add(new SimRequest("early", prompt(10, 1), 50, true, 0, 3, List.of(), new int[0], 1,
        early), 0);
    Recorder atLeast = new Recorder();
    d.core.add(new SimRequest("min", prompt(10, 2), 50, true, 8, 3, List.of(), new int[0], 1,
        atLeast), 0);
    d.runUntilIdle();

    assertThat(early.reason).isEqualTo(FinishReason.STOP);
    assertThat(early.tokenTimes).hasSize(3);
    assertThat(atLeast.reason).isEqualTo(FinishReason.STOP);
    assertThat(atLeast.tokenTimes).hasSize(8);
  }

  @Test
  void jitterStaysWithinItsBoundAndRepeatsForASeed() {
    List<Long> first = decodeSteps(7);
    List<Long> second = decodeSteps(7);
    assertThat(second).isEqualTo(first);
    assertThat(decodeSteps(8)).isNotEqualTo(first);
    StepProfile p = StepProfile.LLAMA3_8B_H100;
    for (int i = 0; i < first.size(); i++) {
      long model = p.stepNanos(0, 1, 100 + i + 1, 0);
      assertThat((double) first.get(i)).isCloseTo(model, within(model * 0.05));
    }
  }

  private static List<Long> decodeSteps(long seed) {
    Driver d = new Driver(CoreConfig.builder().maxNumSeqs(256).numGpuBlocks(1000).jitter(0.05)
        .seed(seed).build());
    d.core.add(request("j", prompt(100, 1), 30, new Recorder()), 0);
    d.step(); // the prefill
    List<Long> durations = new ArrayList<>();
    while (true) {
      StepPlan plan = d.core.schedule(d.now);
      if (plan == null) {
        return durations;
      }
      durations.add(plan.durationNanos());
      d.now = plan.endNanos();
      d.core.complete(plan);
    }
  }
}
