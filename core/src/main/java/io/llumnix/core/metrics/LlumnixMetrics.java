package io.llumnix.core.metrics;

import static io.llumnix.core.metrics.MetricSpec.counter;
import static io.llumnix.core.metrics.MetricSpec.gauge;
import static io.llumnix.core.metrics.MetricSpec.histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * The control plane's metrics: gateway request performance and diagnostics, scheduler events,
 * per-instance CMS and LRS state, and the runtime gauge every component exports. Names, types,
 * label names and buckets are those of the reference system, so its dashboards
 * and alerts work unchanged.
 */
public final class LlumnixMetrics {

  // ---- labels
  public static final String MODEL = "model";
  public static final String STATUS_CODE = "status_code";
  public static final String INSTANCE_ID = "instance_id";
  public static final String INFER_TYPE = "infer_type";
  public static final String ERROR_TYPE = "error_type";

  // ---- every component
  public static final MetricSpec UPTIME_SECONDS =
      gauge("uptime_seconds", "Number of seconds since the component started.");

  // ---- gateway: requests
  public static final MetricSpec REQUEST_TOTAL =
      counter("request_total", "Total number of inference requests, by status code.",
          MODEL, STATUS_CODE);
  public static final MetricSpec REQUEST_RETRY_TOTAL =
      counter("request_retry_total", "Total number of internal retries of inference requests.",
          MODEL, STATUS_CODE);
  public static final MetricSpec REQUEST_FALLBACK_TOTAL =
      counter("request_fallback_total", "Total number of fallbacks to another route.",
          MODEL, STATUS_CODE);
  public static final MetricSpec REQUEST_FALLBACK_RETRY_SUCCESS_TOTAL =
      counter("request_fallback_retry_success_total",
          "Total number of fallback attempts that succeeded after a rate-limit (429) retry.",
          MODEL);
  public static final MetricSpec REQUEST_INPUT_TOKENS_TOTAL =
      counter("request_input_tokens_total", "Total number of input (prompt) tokens.", MODEL);
  public static final MetricSpec REQUEST_OUTPUT_TOKENS_TOTAL =
      counter("request_output_tokens_total", "Total number of output (completion) tokens.",
          MODEL);
  public static final MetricSpec REQUEST_E2E_LATENCY_SECONDS =
      histogram("request_e2e_latency_seconds",
          "End-to-end latency of successful requests in seconds.",
          Buckets.LATENCY_SECONDS, MODEL);
  public static final MetricSpec REQUEST_TTFT_MILLISECONDS =
      histogram("request_ttft_milliseconds", "Time to first token in milliseconds.",
          Buckets.TTFT_MILLISECONDS, MODEL);
  public static final MetricSpec REQUEST_ITL_MILLISECONDS =
      histogram("request_itl_milliseconds",
          "Inter-token latency between consecutive output tokens in milliseconds.",
          Buckets.TOKEN_LATENCY_MILLISECONDS, MODEL);
  public static final MetricSpec REQUEST_TPOT_MILLISECONDS =
      histogram("request_tpot_milliseconds",
          "Time per output token, (E2E - TTFT) / (output_tokens - 1), in milliseconds.",
          Buckets.TOKEN_LATENCY_MILLISECONDS, MODEL);
  public static final MetricSpec REQUEST_INPUT_TOKENS =
      histogram("request_input_tokens", "Number of input (prompt) tokens per request.",
          Buckets.TOKENS, MODEL);
  public static final MetricSpec REQUEST_OUTPUT_TOKENS =
      histogram("request_output_tokens", "Number of output (completion) tokens per request.",
          Buckets.TOKENS, MODEL);
  public static final MetricSpec REQUEST_PREFIX_CACHE_HIT_PERCENT =
      histogram("request_prefix_cache_hit_percent",
          "Prefix cache hit ratio on the selected instance per request (0-100%).",
          Buckets.PERCENT);
  public static final MetricSpec REQUEST_MAX_PREFIX_CACHE_HIT_PERCENT =
      histogram("request_max_prefix_cache_hit_percent",
          "Maximum prefix cache hit ratio across all instances per request (0-100%).",
          Buckets.PERCENT);

  // ---- gateway: components
  public static final MetricSpec REQUEST_QUEUE_DURATION_MILLISECONDS =
      histogram("request_queue_duration_milliseconds",
          "Request queue waiting duration in milliseconds.", Buckets.QUEUE_MILLISECONDS, MODEL);
  public static final MetricSpec REQUEST_PREPROCESS_DURATION_MILLISECONDS =
      histogram("request_preprocess_duration_milliseconds",
          "Request preprocessing duration in milliseconds.", Buckets.STAGE_MILLISECONDS, MODEL);
  public static final MetricSpec REQUEST_SCHEDULE_DURATION_MILLISECONDS =
      histogram("request_schedule_duration_milliseconds",
          "Request scheduling phase duration in milliseconds.", Buckets.STAGE_MILLISECONDS,
          MODEL);
  public static final MetricSpec REQUEST_POSTPROCESS_DURATION_MILLISECONDS =
      histogram("request_postprocess_duration_milliseconds",
          "Response postprocessing duration in milliseconds.", Buckets.STAGE_MILLISECONDS,
          MODEL);
  public static final MetricSpec GATEWAY_PENDING_REQUESTS =
      gauge("gateway_pending_requests",
          "Requests waiting in the gateway queue or held by a busy queue worker.");
  public static final MetricSpec GATEWAY_MIRROR_REQUESTS_TOTAL =
      counter("gateway_mirror_requests_total", "Copies of requests sent to the mirror target, "
          + "by result: answered (any status), failed (unreachable or timed out), or dropped "
          + "(too many copies in flight).", "result");
  public static final MetricSpec GATEWAY_REQUESTS_BY_KEY_TOTAL =
      counter("gateway_requests_by_key_total", "Requests by the name of the API key they "
          + "carried (with --metrics-per-key), and the status they got.", "key_name",
          STATUS_CODE);
  public static final MetricSpec GATEWAY_CURRENT_REQUESTS =
      gauge("gateway_current_requests", "Requests in flight in the gateway.");

  // ---- scheduler
  public static final MetricSpec SCHEDULER_SCHEDULING_TOTAL =
      counter("scheduler_scheduling_total", "Total number of successful scheduling attempts.");
  public static final MetricSpec SCHEDULER_SCHEDULING_FAILED_TOTAL =
      counter("scheduler_scheduling_failed_total", "Total number of failed scheduling attempts.",
          ERROR_TYPE);
  public static final MetricSpec SCHEDULER_RESCHEDULING_TOTAL =
      counter("scheduler_rescheduling_total",
          "Total number of successful rescheduling (migration) operations.",
          "rescheduling_req_select_rule", "rescheduling_req_select_order");
  public static final MetricSpec SCHEDULER_RESCHEDULING_FAILED_TOTAL =
      counter("scheduler_rescheduling_failed_total",
          "Total number of failed or declined rescheduling (migration) operations.");
  public static final MetricSpec SCHEDULER_CMS_REFRESH_METADATA_DURATION_MILLISECONDS =
      histogram("scheduler_cms_refresh_metadata_duration_milliseconds",
          "CMS instance metadata refresh duration in milliseconds.",
          Buckets.STAGE_MILLISECONDS);
  public static final MetricSpec SCHEDULER_CMS_REFRESH_STATUS_DURATION_MILLISECONDS =
      histogram("scheduler_cms_refresh_status_duration_milliseconds",
          "CMS instance status refresh duration in milliseconds.", Buckets.STAGE_MILLISECONDS);
  public static final MetricSpec REQUEST_FULL_MODE_SCHEDULE_DURATION_MILLISECONDS =
      histogram("request_full_mode_schedule_duration_milliseconds",
          "Scheduling decision duration per request in milliseconds.",
          Buckets.STAGE_MILLISECONDS);
  public static final MetricSpec REQUEST_QUERY_PREFIX_CACHE_HIT_DURATION_MILLISECONDS =
      histogram("request_query_prefix_cache_hit_duration_milliseconds",
          "Duration of querying the KV store for prefix cache hits in milliseconds.",
          Buckets.STAGE_MILLISECONDS);
  public static final MetricSpec SCHEDULER_KVS_METADATA_SERVICE_UP =
      gauge("scheduler_kvs_metadata_service_up",
          "1 while cache-aware scheduling can reach its KV-store metadata service, 0 while "
              + "lookups are skipped after failures (scheduling then balances load only).");
  public static final MetricSpec SCHEDULER_KVS_LOOKUP_FAILED_TOTAL =
      counter("scheduler_kvs_lookup_failed_total",
          "Failed attempts to look up prefix cache hits in the KV-store metadata service.");
  public static final MetricSpec REQUEST_CALC_PREFIX_CACHE_HIT_DURATION_MILLISECONDS =
      histogram("request_calc_prefix_cache_hit_duration_milliseconds",
          "Duration of calculating prefix cache hit lengths in milliseconds.",
          Buckets.STAGE_MILLISECONDS);

  /** CMS status gauges, one per status field, labelled by instance and infer type. */
  public static final List<MetricSpec> INSTANCE_CMS = instanceCms();

  public static final MetricSpec SELECTED_INSTANCE_KV_CACHE_USAGE_RATIO_PROJECTED =
      histogram("selected_instance_kv_cache_usage_ratio_projected",
          "Projected KV cache usage ratio of the selected instance.", Buckets.RATIO, INFER_TYPE);
  public static final MetricSpec SELECTED_INSTANCE_DECODE_BATCH_SIZE =
      histogram("selected_instance_decode_batch_size",
          "Decode batch size of the selected instance.", Buckets.BATCH, INFER_TYPE);
  public static final MetricSpec SELECTED_INSTANCE_ALL_PREFILLS_TOKENS_NUM =
      histogram("selected_instance_all_prefills_tokens_num",
          "Total prefill tokens on the selected instance.", Buckets.TOKENS, INFER_TYPE);
  public static final MetricSpec SELECTED_INSTANCE_ALL_DECODES_TOKENS_NUM =
      histogram("selected_instance_all_decodes_tokens_num",
          "Total decode tokens on the selected instance.", Buckets.TOKENS, INFER_TYPE);
  public static final MetricSpec SELECTED_INSTANCE_PREDICTED_TTFT =
      histogram("selected_instance_predicted_ttft",
          "Predicted TTFT of the selected instance in milliseconds.", Buckets.TTFT_MILLISECONDS,
          INFER_TYPE);
  public static final MetricSpec SELECTED_INSTANCE_PREDICTED_TPOT =
      histogram("selected_instance_predicted_tpot",
          "Predicted TPOT of the selected instance in milliseconds.",
          Buckets.TOKEN_LATENCY_MILLISECONDS, INFER_TYPE);

  // ---- lite-mode scheduler state (all six are emitted, unlike the reference)
  public static final MetricSpec INSTANCE_LRS_TOTAL_REQUESTS =
      lrs("instance_lrs_total_requests", "Total requests on a backend endpoint.");
  public static final MetricSpec INSTANCE_LRS_RUNNING_REQUESTS =
      lrs("instance_lrs_running_requests",
          "Running requests (prefill done) on a backend endpoint.");
  public static final MetricSpec INSTANCE_LRS_WAITING_REQUESTS =
      lrs("instance_lrs_waiting_requests",
          "Waiting requests (prefill not done) on a backend endpoint.");
  public static final MetricSpec INSTANCE_LRS_TOTAL_TOKENS =
      lrs("instance_lrs_total_tokens", "Total tokens on a backend endpoint.");
  public static final MetricSpec INSTANCE_LRS_RUNNING_TOKENS =
      lrs("instance_lrs_running_tokens",
          "Tokens of running requests (prefill done) on a backend endpoint.");
  public static final MetricSpec INSTANCE_LRS_WAITING_TOKENS =
      lrs("instance_lrs_waiting_tokens",
          "Tokens of waiting requests (prefill not done) on a backend endpoint.");

  private LlumnixMetrics() {}

  /** Metrics every component exports besides the JVM and process ones. */
  public static List<MetricSpec> common() {
    return List.of(UPTIME_SECONDS);
  }

  /** The gateway's metrics. */
  public static List<MetricSpec> gateway() {
    return List.of(
        REQUEST_TOTAL, REQUEST_RETRY_TOTAL, REQUEST_FALLBACK_TOTAL,
        REQUEST_FALLBACK_RETRY_SUCCESS_TOTAL, REQUEST_INPUT_TOKENS_TOTAL,
        REQUEST_OUTPUT_TOKENS_TOTAL, REQUEST_E2E_LATENCY_SECONDS, REQUEST_TTFT_MILLISECONDS,
        REQUEST_ITL_MILLISECONDS, REQUEST_TPOT_MILLISECONDS, REQUEST_INPUT_TOKENS,
        REQUEST_OUTPUT_TOKENS, REQUEST_QUEUE_DURATION_MILLISECONDS,
        REQUEST_PREPROCESS_DURATION_MILLISECONDS, REQUEST_SCHEDULE_DURATION_MILLISECONDS,
        REQUEST_POSTPROCESS_DURATION_MILLISECONDS, GATEWAY_PENDING_REQUESTS,
        GATEWAY_CURRENT_REQUESTS, GATEWAY_MIRROR_REQUESTS_TOTAL, GATEWAY_REQUESTS_BY_KEY_TOTAL);
  }

  /** The scheduler's metrics (full and lite mode, rescheduling, cache-aware). */
  public static List<MetricSpec> scheduler() {
    List<MetricSpec> all = new ArrayList<>(List.of(
        SCHEDULER_SCHEDULING_TOTAL, SCHEDULER_SCHEDULING_FAILED_TOTAL,
        SCHEDULER_RESCHEDULING_TOTAL, SCHEDULER_RESCHEDULING_FAILED_TOTAL,
        SCHEDULER_CMS_REFRESH_METADATA_DURATION_MILLISECONDS,
        SCHEDULER_CMS_REFRESH_STATUS_DURATION_MILLISECONDS,
        REQUEST_FULL_MODE_SCHEDULE_DURATION_MILLISECONDS,
        REQUEST_QUERY_PREFIX_CACHE_HIT_DURATION_MILLISECONDS,
        REQUEST_CALC_PREFIX_CACHE_HIT_DURATION_MILLISECONDS,
        REQUEST_PREFIX_CACHE_HIT_PERCENT, REQUEST_MAX_PREFIX_CACHE_HIT_PERCENT,
        SCHEDULER_KVS_METADATA_SERVICE_UP, SCHEDULER_KVS_LOOKUP_FAILED_TOTAL));
    all.addAll(INSTANCE_CMS);
    all.addAll(List.of(
        SELECTED_INSTANCE_KV_CACHE_USAGE_RATIO_PROJECTED, SELECTED_INSTANCE_DECODE_BATCH_SIZE,
        SELECTED_INSTANCE_ALL_PREFILLS_TOKENS_NUM, SELECTED_INSTANCE_ALL_DECODES_TOKENS_NUM,
        SELECTED_INSTANCE_PREDICTED_TTFT, SELECTED_INSTANCE_PREDICTED_TPOT,
        INSTANCE_LRS_TOTAL_REQUESTS, INSTANCE_LRS_RUNNING_REQUESTS,
        INSTANCE_LRS_WAITING_REQUESTS, INSTANCE_LRS_TOTAL_TOKENS, INSTANCE_LRS_RUNNING_TOKENS,
        INSTANCE_LRS_WAITING_TOKENS));
    return List.copyOf(all);
  }

  /** Every control-plane metric: common, gateway and scheduler. */
  public static List<MetricSpec> all() {
    List<MetricSpec> all = new ArrayList<>(common());
    all.addAll(gateway());
    all.addAll(scheduler());
    return List.copyOf(all);
  }

  private static MetricSpec lrs(String name, String help) {
    return gauge(name, help, MODEL, INSTANCE_ID, INFER_TYPE);
  }

  private static MetricSpec cms(String name, String help) {
    return gauge(name, help, INSTANCE_ID, INFER_TYPE);
  }

  private static List<MetricSpec> instanceCms() {
    return List.of(
        cms("instance_cms_used_gpu_tokens", "GPU tokens in use on the instance."),
        cms("instance_cms_waiting_requests", "Waiting requests on the instance."),
        cms("instance_cms_loading_requests", "Requests loading KV cache on the instance."),
        cms("instance_cms_running_requests", "Running requests on the instance."),
        cms("instance_cms_scheduler_waiting_to_decode_requests",
            "Waiting requests that will decode on the instance."),
        cms("instance_cms_scheduler_running_to_decode_requests",
            "Running requests that will decode on the instance."),
        cms("instance_cms_hybrid_scheduler_waiting_to_decode_requests",
            "Hybrid-scheduler waiting requests that will decode on the instance."),
        cms("instance_cms_uncomputed_tokens_all_waiting_prefills",
            "Uncomputed tokens of all waiting prefills on the instance."),
        cms("instance_cms_uncomputed_tokens_scheduler_running_prefills",
            "Uncomputed tokens of running prefills on the instance."),
        cms("instance_cms_unallocated_tokens_scheduler_running_prefills",
            "Unallocated tokens of running prefills on the instance."),
        cms("instance_cms_unallocated_tokens_hybrid_scheduler_waiting_decodes",
            "Unallocated tokens of hybrid-scheduler waiting decodes on the instance."),
        cms("instance_cms_hybrid_scheduler_waiting_to_decode_tokens",
            "Tokens of hybrid-scheduler waiting requests that will decode on the instance."),
        cms("instance_cms_scheduler_waiting_to_decode_tokens",
            "Tokens of waiting requests that will decode on the instance."),
        cms("instance_cms_scheduler_running_to_decode_tokens",
            "Tokens of running requests that will decode on the instance."),
        cms("instance_cms_tokens_loading_requests",
            "Tokens of requests loading KV cache on the instance."),
        cms("instance_cms_inflight_dispatch_requests",
            "Requests dispatched to the instance that its status does not show yet."),
        cms("instance_cms_inflight_dispatch_prefill_requests",
            "Prefill requests dispatched to the instance that its status does not show yet."),
        cms("instance_cms_inflight_dispatch_decode_requests",
            "Decode requests dispatched to the instance that its status does not show yet."),
        cms("instance_cms_uncomputed_tokens_inflight_dispatch_prefill_requests",
            "Uncomputed tokens of in-flight dispatched prefill requests."),
        cms("instance_cms_tokens_inflight_dispatch_decode_requests",
            "Tokens of in-flight dispatched decode requests."),
        cms("instance_cms_kv_cache_usage_ratio_projected",
            "Projected KV cache usage ratio of the instance."),
        cms("instance_cms_decode_batch_size", "Decode batch size of the instance."),
        cms("instance_cms_all_prefills_tokens_num", "Total prefill tokens on the instance."),
        cms("instance_cms_all_decodes_tokens_num", "Total decode tokens on the instance."));
  }
}
