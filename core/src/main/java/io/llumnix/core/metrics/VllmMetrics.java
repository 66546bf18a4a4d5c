package io.llumnix.core.metrics;

import static io.llumnix.core.metrics.MetricSpec.counter;
import static io.llumnix.core.metrics.MetricSpec.gauge;
import static io.llumnix.core.metrics.MetricSpec.histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * The engine-native metrics of vLLM v1 ({@code vllm/v1/metrics/loggers.py}) that the engine
 * simulator exports: exact names, help texts, label names and buckets of vLLM's. The
 * token histograms' buckets depend on {@code max_model_len}, and two deprecated families depend
 * on the vLLM version being imitated, so the list is built per engine.
 */
public final class VllmMetrics {

  public static final String MODEL_NAME = "model_name";
  public static final String ENGINE = "engine";
  public static final String FINISHED_REASON = "finished_reason";

  /** Label names of {@code vllm:cache_config_info}: CacheConfig fields, then the engine. */
  public static final List<String> CACHE_CONFIG_LABELS =
      List.of("block_size", "cache_dtype", "enable_prefix_caching", "gpu_memory_utilization",
          "num_cpu_blocks", "num_gpu_blocks", "num_gpu_blocks_override",
          "prefix_caching_hash_algo", "swap_space", ENGINE);

  public static final String NUM_REQUESTS_RUNNING = "vllm:num_requests_running";
  public static final String NUM_REQUESTS_WAITING = "vllm:num_requests_waiting";
  public static final String KV_CACHE_USAGE_PERC = "vllm:kv_cache_usage_perc";
  public static final String GPU_CACHE_USAGE_PERC = "vllm:gpu_cache_usage_perc";
  public static final String PREFIX_CACHE_QUERIES = "vllm:prefix_cache_queries_total";
  public static final String PREFIX_CACHE_HITS = "vllm:prefix_cache_hits_total";
  public static final String NUM_PREEMPTIONS = "vllm:num_preemptions_total";
  public static final String PROMPT_TOKENS = "vllm:prompt_tokens_total";
  public static final String GENERATION_TOKENS = "vllm:generation_tokens_total";
  public static final String REQUEST_SUCCESS = "vllm:request_success_total";
  public static final String REQUEST_PROMPT_TOKENS = "vllm:request_prompt_tokens";
  public static final String REQUEST_GENERATION_TOKENS = "vllm:request_generation_tokens";
  public static final String REQUEST_PARAMS_MAX_TOKENS = "vllm:request_params_max_tokens";
  public static final String REQUEST_MAX_NUM_GENERATION_TOKENS =
      "vllm:request_max_num_generation_tokens";
  public static final String REQUEST_PARAMS_N = "vllm:request_params_n";
  public static final String ITERATION_TOKENS = "vllm:iteration_tokens_total";
  public static final String TIME_TO_FIRST_TOKEN = "vllm:time_to_first_token_seconds";
  public static final String INTER_TOKEN_LATENCY = "vllm:inter_token_latency_seconds";
  public static final String TIME_PER_OUTPUT_TOKEN = "vllm:time_per_output_token_seconds";
  public static final String E2E_REQUEST_LATENCY = "vllm:e2e_request_latency_seconds";
  public static final String REQUEST_QUEUE_TIME = "vllm:request_queue_time_seconds";
  public static final String REQUEST_INFERENCE_TIME = "vllm:request_inference_time_seconds";
  public static final String REQUEST_PREFILL_TIME = "vllm:request_prefill_time_seconds";
  public static final String REQUEST_DECODE_TIME = "vllm:request_decode_time_seconds";
  public static final String CACHE_CONFIG_INFO = "vllm:cache_config_info";

  /**
   * Which deprecated families to export, as the imitated vLLM version would.
   *
   * @param timePerOutputToken {@code vllm:time_per_output_token_seconds}: exported up to 0.11,
   *     hidden from 0.12
   * @param gpuCacheUsage {@code vllm:gpu_cache_usage_perc}: hidden since 0.11 unless hidden
   *     metrics of 0.10 are shown
   */
  public record Compatibility(boolean timePerOutputToken, boolean gpuCacheUsage) {

    /** What vLLM {@code version} exports, with {@code --show-hidden-metrics-for-version}. */
    public static Compatibility of(String version, String showHiddenMetricsForVersion) {
      int minor = minor(version);
      int hiddenShown = showHiddenMetricsForVersion.isEmpty()
          ? Integer.MAX_VALUE : minor(showHiddenMetricsForVersion);
      boolean tpot = minor <= 11 || (minor == 12 && hiddenShown <= 11);
      boolean gpuCache = minor <= 10 || (minor == 11 && hiddenShown <= 10);
      return new Compatibility(tpot, gpuCache);
    }

    private static int minor(String version) {
      String[] parts = version.trim().split("\\.");
      try {
        if (parts.length < 2 || Integer.parseInt(parts[0]) != 0) {
          throw new NumberFormatException();
        }
        return Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "vLLM version: " + version + " (expected: 0.MINOR[.PATCH], e.g. 0.11.0)", e);
      }
    }
  }

  private VllmMetrics() {}

  /** The engine metrics for one served model of {@code maxModelLen} tokens. */
  public static List<MetricSpec> specs(int maxModelLen, Compatibility compatibility) {
    List<Double> tokens = Buckets.oneTwoFive(maxModelLen);
    String[] labels = {MODEL_NAME, ENGINE};
    List<MetricSpec> specs = new ArrayList<>(List.of(
        gauge(NUM_REQUESTS_RUNNING, "Number of requests in model execution batches.", labels),
        gauge(NUM_REQUESTS_WAITING, "Number of requests waiting to be processed.", labels),
        gauge(KV_CACHE_USAGE_PERC, "KV-cache usage. 1 means 100 percent usage.", labels)));
    if (compatibility.gpuCacheUsage()) {
      specs.add(gauge(GPU_CACHE_USAGE_PERC,
          "GPU KV-cache usage. 1 means 100 percent usage."
              + "DEPRECATED: Use vllm:kv_cache_usage_perc instead.", labels));
    }
    specs.addAll(List.of(
        counter(PREFIX_CACHE_QUERIES,
            "Prefix cache queries, in terms of number of queried tokens.", labels),
        counter(PREFIX_CACHE_HITS, "Prefix cache hits, in terms of number of cached tokens.",
            labels),
        counter(NUM_PREEMPTIONS, "Cumulative number of preemption from the engine.", labels),
        counter(PROMPT_TOKENS, "Number of prefill tokens processed.", labels),
        counter(GENERATION_TOKENS, "Number of generation tokens processed.", labels),
        counter(REQUEST_SUCCESS, "Count of successfully processed requests.",
            MODEL_NAME, ENGINE, FINISHED_REASON),
        histogram(REQUEST_PROMPT_TOKENS, "Number of prefill tokens processed.", tokens, labels),
        histogram(REQUEST_GENERATION_TOKENS, "Number of generation tokens processed.", tokens,
            labels),
        histogram(REQUEST_PARAMS_MAX_TOKENS, "Histogram of the max_tokens request parameter.",
            tokens, labels),
        histogram(REQUEST_MAX_NUM_GENERATION_TOKENS,
            "Histogram of maximum number of requested generation tokens.", tokens, labels),
        histogram(REQUEST_PARAMS_N, "Histogram of the n request parameter.", Buckets.VLLM_N,
            labels),
        histogram(ITERATION_TOKENS, "Histogram of number of tokens per engine_step.",
            Buckets.VLLM_ITERATION_TOKENS, labels),
        histogram(TIME_TO_FIRST_TOKEN, "Histogram of time to first token in seconds.",
            Buckets.VLLM_TTFT_SECONDS, labels),
        histogram(INTER_TOKEN_LATENCY, "Histogram of inter-token latency in seconds.",
            Buckets.VLLM_ITL_SECONDS, labels)));
    if (compatibility.timePerOutputToken()) {
      specs.add(histogram(TIME_PER_OUTPUT_TOKEN,
          "Histogram of time per output token in seconds."
              + "DEPRECATED: Use vllm:inter_token_latency_seconds instead.",
          Buckets.VLLM_ITL_SECONDS, labels));
    }
    specs.addAll(List.of(
        histogram(E2E_REQUEST_LATENCY, "Histogram of e2e request latency in seconds.",
            Buckets.VLLM_REQUEST_SECONDS, labels),
        histogram(REQUEST_QUEUE_TIME, "Histogram of time spent in WAITING phase for request.",
            Buckets.VLLM_REQUEST_SECONDS, labels),
        histogram(REQUEST_INFERENCE_TIME,
            "Histogram of time spent in RUNNING phase for request.",
            Buckets.VLLM_REQUEST_SECONDS, labels),
        histogram(REQUEST_PREFILL_TIME, "Histogram of time spent in PREFILL phase for request.",
            Buckets.VLLM_REQUEST_SECONDS, labels),
        histogram(REQUEST_DECODE_TIME, "Histogram of time spent in DECODE phase for request.",
            Buckets.VLLM_REQUEST_SECONDS, labels),
        gauge(CACHE_CONFIG_INFO, "Information of the LLMEngine CacheConfig",
            CACHE_CONFIG_LABELS.toArray(String[]::new))));
    return List.copyOf(specs);
  }
}
