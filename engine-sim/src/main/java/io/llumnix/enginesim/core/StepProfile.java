package io.llumnix.enginesim.core;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The step-time model (engine-sim/README.md):
 * {@code t = c0 + max(W, c1·(P + D)) + c3·K + c4·A}, with P the uncached prefill tokens of the
 * step, D its decode sequences, K the context tokens those decodes read, and A the attention
 * pairs of the prefill chunks.
 *
 * @param c0Millis CPU, scheduling and sampling overhead per step
 * @param weightFloorMillis W, the time to stream the weights once
 * @param c1MicrosPerToken linear (GEMM) cost per token
 * @param c3MicrosPerContextToken decode KV read per context token
 * @param c4MicrosPerPair prefill attention per token pair
 */
public record StepProfile(String name, double c0Millis, double weightFloorMillis,
    double c1MicrosPerToken, double c3MicrosPerContextToken, double c4MicrosPerPair) {

  public static final StepProfile LLAMA3_8B_H100 =
      new StepProfile("llama3-8b-h100", 1.5, 6.0, 21, 0.050, 1.3e-3);
  public static final StepProfile LLAMA3_8B_A100 =
      new StepProfile("llama3-8b-a100", 2.0, 9.5, 66, 0.082, 2.8e-3);
  public static final StepProfile QWEN25_7B_H100 =
      new StepProfile("qwen2.5-7b-h100", 1.5, 5.8, 20, 0.022, 1.0e-3);
  /** Zero step time: measures the overhead of everything around the engine. */
  public static final StepProfile INSTANT = new StepProfile("instant", 0, 0, 0, 0, 0);

  private static final Map<String, StepProfile> BY_NAME =
      List.of(LLAMA3_8B_H100, LLAMA3_8B_A100, QWEN25_7B_H100, INSTANT).stream()
          .collect(Collectors.toUnmodifiableMap(StepProfile::name, Function.identity()));

  /**
   * Returns the named profile.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static StepProfile named(String name) {
    StepProfile profile = BY_NAME.get(name);
    if (profile == null) {
      throw new IllegalArgumentException("unknown step profile: " + name + " (expected one of: "
          + BY_NAME.keySet().stream().sorted().toList() + ")");
    }
    return profile;
  }

  /** The step duration in nanoseconds, before jitter. */
  public long stepNanos(long prefillTokens, long decodeSeqs, long contextTokens,
      double attentionPairs) {
    double micros = c0Millis * 1000
        + Math.max(weightFloorMillis * 1000, c1MicrosPerToken * (prefillTokens + decodeSeqs))
        + c3MicrosPerContextToken * contextTokens
        + c4MicrosPerPair * attentionPairs;
    return Math.round(micros * 1000);
  }
}
