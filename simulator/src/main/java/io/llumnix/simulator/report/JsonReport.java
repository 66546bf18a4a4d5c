package io.llumnix.simulator.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A report as JSON: {@code settings}, then {@code policies.<name>} with the latency summaries
 * ({@code ttft_ms}, {@code tpot_ms}, {@code itl_ms}, {@code e2e_ms}: {@code mean}, {@code p50},
 * {@code p90}, {@code p99}, {@code max}, {@code count}), the counts and rates, and each
 * instance's {@code load} over time (requests in the engine, KV usage). Nothing in it
 * depends on the host (no wall time), so the same seed gives the same bytes.
 */
public final class JsonReport {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static String render(SimulationReport report) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("settings", report.settings());
    Map<String, Object> policies = new LinkedHashMap<>();
    PolicyResult first = report.policies().isEmpty() ? null : report.policies().get(0);
    for (PolicyResult p : report.policies()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("completed", p.completed());
      m.put("rejected", p.rejected());
      m.put("ttft_ms", summary(p.ttftMs()));
      m.put("tpot_ms", summary(p.tpotMs()));
      m.put("itl_ms", summary(p.itlMs()));
      m.put("e2e_ms", summary(p.e2eMs()));
      m.put("throughput_tok_s", round(p.throughputTokS()));
      m.put("requests_per_s", round(p.requestsPerSecond()));
      m.put("goodput_req_s", round(p.goodputReqS()));
      m.put("goodput_fraction", round(p.goodputFraction()));
      m.put("preemptions", p.preemptions());
      m.put("prefix_cache_hit_ratio", round(p.prefixCacheHitRatio()));
      m.put("virtual_seconds", round(p.virtualSeconds()));
      if (first != null && p != first) {
        m.put("ttft_p99_vs_first", rounded(ratio(p.ttftMs().p99(), first.ttftMs().p99())));
        m.put("tpot_p99_vs_first", rounded(ratio(p.tpotMs().p99(), first.tpotMs().p99())));
      }
      m.put("load", load(p.load()));
      policies.put(p.name(), m);
    }
    root.put("policies", policies);
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> summary(Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", round(s.mean()));
    m.put("p50", round(s.p50()));
    m.put("p90", round(s.p90()));
    m.put("p99", round(s.p99()));
    m.put("max", round(s.max()));
    m.put("count", s.count());
    return m;
  }

  /** Each instance's samples: requests in the engine, and KV usage to three decimals. */
  private static Map<String, Object> load(LoadSeries load) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("interval_s", load.intervalSeconds());
    m.put("instances", load.instances());
    m.put("requests", load.requests());
    double[][] kv = new double[load.kvUsage().length][];
    for (int i = 0; i < kv.length; i++) {
      kv[i] = new double[load.kvUsage()[i].length];
      for (int s = 0; s < kv[i].length; s++) {
        kv[i][s] = round(load.kvUsage()[i][s]);
      }
    }
    m.put("kv_usage", kv);
    return m;
  }

  /**
   * {@code value / baseline}, or null when the baseline is 0 (no ratio to speak of): the one
   * ratio of every report form.
   */
  static @Nullable Double ratio(double value, double baseline) {
    double ratio = value / baseline;
    return baseline > 0 && Double.isFinite(ratio) ? ratio : null;
  }

  private static @Nullable Double rounded(@Nullable Double value) {
    return value == null ? null : round(value);
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
