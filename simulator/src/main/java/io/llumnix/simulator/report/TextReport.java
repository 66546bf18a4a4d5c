package io.llumnix.simulator.report;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** A report as the side-by-side table {@code llumnix simulate} prints. */
public final class TextReport {

  private TextReport() {}

  public static String render(SimulationReport report) {
    StringBuilder out = new StringBuilder();
    report.settings().forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-22s %s%n",
        k, v)));
    out.append('\n');
    out.append(String.format(Locale.ROOT,
        "%-22s %9s %8s | %8s %8s %9s | %7s %7s | %8s %9s | %9s %7s %6s %7s | %7s%n",
        "policy", "completed", "rejected", "TTFT p50", "p90", "p99", "TPOT p50", "p99",
        "E2E p50", "p99", "tok/s", "preempt", "cache", "goodput", "p99 vs"));
    PolicyResult first = report.policies().isEmpty() ? null : report.policies().get(0);
    for (PolicyResult p : report.policies()) {
      @Nullable Double ratio = p == first ? null
          : JsonReport.ratio(p.ttftMs().p99(), first.ttftMs().p99());
      String vs = p == first ? "-" : ratio == null ? "n/a"
          : String.format(Locale.ROOT, "%.2fx", ratio);
      out.append(String.format(Locale.ROOT,
          "%-22s %9d %8d | %8.1f %8.1f %9.1f | %7.2f %7.2f | %8.0f %9.0f | %9.0f %7d %5.1f%% "
              + "%6.1f%% | %7s%n",
          p.name(), p.completed(), p.rejected(), p.ttftMs().p50(), p.ttftMs().p90(),
          p.ttftMs().p99(), p.tpotMs().p50(), p.tpotMs().p99(), p.e2eMs().p50(),
          p.e2eMs().p99(), p.throughputTokS(), p.preemptions(), p.prefixCacheHitRatio() * 100,
          p.goodputFraction() * 100, vs));
    }
    out.append("(milliseconds; \"p99 vs\" is TTFT p99 against the first policy's)\n");
    for (PolicyResult p : report.policies()) {
      out.append(String.format(Locale.ROOT, "%s: %.0f s of virtual time in %.1f s%n", p.name(),
          p.virtualSeconds(), p.wallSeconds()));
    }
    return out.toString();
  }
}
