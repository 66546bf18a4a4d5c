package io.llumnix.core.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The bucket lists of the reference system and of vLLM.
 * Histograms with the same meaning share a list, so dashboards can compare them.
 */
public final class Buckets {

  /** End-to-end latency, seconds. */
  public static final List<Double> LATENCY_SECONDS =
      List.of(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 90.0, 120.0, 180.0, 240.0,
          300.0);

  /** Time to first token, milliseconds. */
  public static final List<Double> TTFT_MILLISECONDS =
      List.of(10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0,
          30000.0, 60000.0);

  /** Per-token latencies (ITL, TPOT), milliseconds. */
  public static final List<Double> TOKEN_LATENCY_MILLISECONDS =
      List.of(1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0,
          500.0);

  /** Token counts per request. */
  public static final List<Double> TOKENS =
      List.of(1.0, 4.0, 16.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0,
          32768.0, 65536.0, 131072.0);

  /** Short internal stages (preprocess, schedule, CMS refresh), milliseconds. */
  public static final List<Double> STAGE_MILLISECONDS =
      List.of(0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0);

  /** Gateway queueing, milliseconds. */
  public static final List<Double> QUEUE_MILLISECONDS =
      List.of(1.0, 5.0, 10.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0);

  /** Percentages 0, 10, …, 100. */
  public static final List<Double> PERCENT = linear(0, 10, 11);

  /** Ratios 0, 0.1, …, 1.0. */
  public static final List<Double> RATIO = linear(0, 0.1, 11);

  /** Batch sizes. */
  public static final List<Double> BATCH =
      List.of(1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0);

  /** vLLM time to first token, seconds. */
  public static final List<Double> VLLM_TTFT_SECONDS =
      List.of(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
          7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0);

  /** vLLM inter-token latency, seconds. */
  public static final List<Double> VLLM_ITL_SECONDS =
      List.of(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
          10.0, 20.0, 40.0, 80.0);

  /** vLLM request-phase durations, seconds. */
  public static final List<Double> VLLM_REQUEST_SECONDS =
      List.of(0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0,
          120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0);

  /** vLLM {@code n} parameter. */
  public static final List<Double> VLLM_N = List.of(1.0, 2.0, 5.0, 10.0, 20.0);

  /** vLLM tokens per engine step: 1, then powers of two from 8 to 16384. */
  public static final List<Double> VLLM_ITERATION_TOKENS =
      List.of(1.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0,
          16384.0);

  private Buckets() {}

  /**
   * Returns vLLM's {@code build_1_2_5_buckets(max)}: 1, 2, 5, 10, 20, 50, … up to and including
   * {@code max}.
   */
  public static List<Double> oneTwoFive(long max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    List<Double> result = new ArrayList<>();
    int[] mantissas = {1, 2, 5};
    for (long power = 1; ; power *= 10) {
      for (int m : mantissas) {
        long value = m * power;
        if (value > max) {
          return List.copyOf(result);
        }
        result.add((double) value);
      }
    }
  }

  private static List<Double> linear(double start, double width, int count) {
    List<Double> result = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      // Rounded so that 0.1 * 3 prints as 0.3, as the reference's literal lists do.
      result.add(Math.round((start + width * i) * 1e9) / 1e9);
    }
    return List.copyOf(result);
  }
}
