package io.llumnix.kvs.server;

import static io.llumnix.core.metrics.MetricSpec.counter;
import static io.llumnix.core.metrics.MetricSpec.gauge;
import static io.llumnix.core.metrics.MetricSpec.histogram;

import io.llumnix.core.metrics.Buckets;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.metrics.MetricSpec;
import java.util.List;

/**
 * The metadata service's metrics, besides {@code uptime_seconds} and the JVM's. {@code path}
 * is one of the API's paths ({@code /batch_query_keys}, ...) or {@code other} for the rest.
 */
public final class KvsMetrics {

  // ---- labels
  public static final String PATH = "path";
  public static final String OP = "op";

  public static final MetricSpec REQUESTS_TOTAL =
      counter("kvs_requests_total", "API requests, by path and status code.", PATH,
          LlumnixMetrics.STATUS_CODE);
  public static final MetricSpec REQUEST_DURATION_MILLISECONDS =
      histogram("kvs_request_duration_milliseconds",
          "Time from an API request to its answer in milliseconds, by path.",
          Buckets.STAGE_MILLISECONDS, PATH);
  public static final MetricSpec QUERIED_KEYS_TOTAL =
      counter("kvs_queried_keys_total", "Distinct keys asked for by lookups.");
  public static final MetricSpec HIT_KEYS_TOTAL =
      counter("kvs_hit_keys_total", "Keys asked for by lookups that some endpoint holds.");
  public static final MetricSpec WRITTEN_KEYS_TOTAL =
      counter("kvs_written_keys_total", "Keys in write requests, by op (put or remove).", OP);
  public static final MetricSpec REMOVED_ENDPOINTS_TOTAL =
      counter("kvs_removed_endpoints_total", "Endpoints removed with all their keys.");
  public static final MetricSpec STORE_ERRORS_TOTAL =
      counter("kvs_store_errors_total", "Store calls that failed (Redis unreachable or slow).");
  public static final MetricSpec KEYS_HELD =
      gauge("kvs_keys_held", "Key-endpoint pairs held: a key on two endpoints counts twice.");
  public static final MetricSpec ENDPOINTS =
      gauge("kvs_endpoints", "Endpoints holding at least one key.");
  public static final MetricSpec STORE_UP =
      gauge("kvs_store_up", "1 while the store answers, else 0.");

  private KvsMetrics() {}

  /** Every metric of the service. */
  public static List<MetricSpec> all() {
    return List.of(REQUESTS_TOTAL, REQUEST_DURATION_MILLISECONDS, QUERIED_KEYS_TOTAL,
        HIT_KEYS_TOTAL, WRITTEN_KEYS_TOTAL, REMOVED_ENDPOINTS_TOTAL, STORE_ERRORS_TOTAL,
        KEYS_HELD, ENDPOINTS, STORE_UP);
  }
}
