package io.llumnix.bench;

import io.llumnix.bench.trace.TraceEntry;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a bench run: throughput, goodput, latency percentiles and errors by kind.
 *
 * @param durationSeconds from the first request sent to the last one finished
 * @param goodput requests per second that met both SLOs
 * @param trace the requests sent, in arrival order, for {@code --record}; not in the JSON
 * @param warmedUp warm-up requests streamed to the end before the run, none of them measured
 */
public record BenchReport(int requests, int completed, Map<String, Integer> errors,
    double durationSeconds, long inputTokens, long outputTokens, double goodput,
    Latency ttft, Latency tpot, Latency itl, Latency e2e, List<TraceEntry> trace,
    int warmedUp) {

  /** Mean and percentiles in milliseconds; NaN when there was no sample. */
  public record Latency(int samples, double mean, double p50, double p90, double p99) {

    static Latency of(double[] values) {
      double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
      if (v.length == 0) {
        return new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      return new Latency(v.length, Arrays.stream(v).average().orElse(Double.NaN),
          percentile(v, 0.50), percentile(v, 0.90), percentile(v, 0.99));
    }

    private static double percentile(double[] sorted, double q) {
      int index = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    JsonObject toJson() {
      return new JsonObject().put("samples", samples).put("mean", round(mean))
          .put("p50", round(p50)).put("p90", round(p90)).put("p99", round(p99));
    }
  }

  /** Summarises {@code results} of a run that took {@code durationSeconds}. */
  public static BenchReport of(List<RequestResult> results, List<TraceEntry> trace,
      double durationSeconds, double goodputTtftMillis, double goodputTpotMillis,
      int warmedUp) {
    Map<String, Integer> errors = new TreeMap<>();
    int completed = 0;
    int good = 0;
    long input = 0;
    long output = 0;
    int successes = (int) results.stream().filter(RequestResult::succeeded).count();
    double[] ttft = new double[successes];
    double[] tpot = new double[successes];
    double[] e2e = new double[successes];
    int itlCount = results.stream().filter(RequestResult::succeeded)
        .mapToInt(r -> r.itlMillis().length).sum();
    double[] itl = new double[itlCount];
    int s = 0;
    int i = 0;
    for (RequestResult result : results) {
      if (!result.succeeded()) {
        errors.merge(result.error(), 1, Integer::sum);
        continue;
      }
      completed++;
      input += result.promptTokens();
      output += result.outputTokens();
      ttft[s] = result.ttftMillis();
      tpot[s] = result.tpotMillis();
      e2e[s++] = result.e2eMillis();
      for (double gap : result.itlMillis()) {
        itl[i++] = gap;
      }
      boolean ttftOk = goodputTtftMillis <= 0 || result.ttftMillis() <= goodputTtftMillis;
      boolean tpotOk = goodputTpotMillis <= 0 || Double.isNaN(result.tpotMillis())
          || result.tpotMillis() <= goodputTpotMillis;
      if (ttftOk && tpotOk) {
        good++;
      }
    }
    double seconds = Math.max(durationSeconds, 1e-9);
    return new BenchReport(results.size(), completed, errors, durationSeconds, input, output,
        good / seconds, Latency.of(ttft), Latency.of(tpot), Latency.of(itl), Latency.of(e2e),
        List.copyOf(trace), warmedUp);
  }

  public int failed() {
    return requests - completed;
  }

  public double requestThroughput() {
    return completed / Math.max(durationSeconds, 1e-9);
  }

  public double outputTokenThroughput() {
    return outputTokens / Math.max(durationSeconds, 1e-9);
  }

  /** The report as a person reads it. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-28s %d (%d failed)%n", "Requests completed:",
        completed, failed()));
    out.append(String.format(Locale.ROOT, "%-28s %.2f s%n", "Duration:", durationSeconds));
    if (warmedUp > 0) {
      out.append(String.format(Locale.ROOT, "%-28s %d requests to the bench itself%n",
          "Warm-up (not measured):", warmedUp));
    }
    out.append(String.format(Locale.ROOT, "%-28s %.2f req/s%n", "Request throughput:",
        requestThroughput()));
    out.append(String.format(Locale.ROOT, "%-28s %.2f req/s%n", "Goodput:", goodput));
    out.append(String.format(Locale.ROOT, "%-28s %d in, %d out%n", "Tokens:", inputTokens,
        outputTokens));
    out.append(String.format(Locale.ROOT, "%-28s %.1f tok/s%n", "Output token throughput:",
        outputTokenThroughput()));
    out.append(String.format(Locale.ROOT, "%-10s %10s %10s %10s %10s%n", "(ms)", "mean", "p50",
        "p90", "p99"));
    for (Map.Entry<String, Latency> row : Map.of("TTFT", ttft, "TPOT", tpot, "ITL", itl,
        "E2E", e2e).entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      Latency l = row.getValue();
      out.append(String.format(Locale.ROOT, "%-10s %10.2f %10.2f %10.2f %10.2f%n", row.getKey(),
          l.mean(), l.p50(), l.p90(), l.p99()));
    }
    if (!errors.isEmpty()) {
      out.append("Errors:").append(System.lineSeparator());
      errors.forEach((kind, count) -> out.append(String.format(Locale.ROOT, "  %-24s %d%n",
          kind, count)));
    }
    return out.toString();
  }

  /** The same figures as JSON. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("requests", requests).put("completed", completed).put("failed", failed())
        .put("errors", new JsonObject(Map.copyOf(errors).entrySet().stream().collect(
            java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (Object) e.getValue()))))
        .put("duration_seconds", round(durationSeconds))
        .put("warmup_requests", warmedUp)
        .put("request_throughput", round(requestThroughput()))
        .put("goodput", round(goodput))
        .put("input_tokens", inputTokens).put("output_tokens", outputTokens)
        .put("output_token_throughput", round(outputTokenThroughput()))
        .put("ttft_ms", ttft.toJson()).put("tpot_ms", tpot.toJson())
        .put("itl_ms", itl.toJson()).put("e2e_ms", e2e.toJson());
  }

  private static Object round(double value) {
    return Double.isNaN(value) ? null : Math.round(value * 1000) / 1000.0;
  }
}
