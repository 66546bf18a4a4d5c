package io.llumnix.benchmarks.faults;

import io.llumnix.benchmarks.faults.StreamLoad.Stream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The fault suite's figures: one case's streams grouped by when they were sent and how they
 * ended ({@link Result}), the table's rows and the notes and examples printed under it.
 */
final class FaultReport {

  private FaultReport() {}

  /** One case's figures. */
  record Result(String fault, String mode, Tally all, String streamingAtFault,
      String waitingAtFault, String burst, String during, String after, String lastTen,
      long retries, String note, List<String> examples) {}

  static Result result(String fault, String mode, List<Stream> records, long faultAt,
      long recoverAt, long stopAt, long retries, String startNote) {
    Predicate<Stream> waitingAtFault = s -> s.openAt(faultAt) && !s.streamingBefore(faultAt);
    String streaming = okOf(records, s -> s.openAt(faultAt) && s.streamingBefore(faultAt));
    String waiting = okOf(records, waitingAtFault);
    String burst = okOf(records, s -> s.burst);
    Predicate<Stream> during = s -> s.sentNanos > faultAt && s.sentNanos < recoverAt;
    String duringOk = okOf(records, during);
    String after = okOf(records, s -> s.sentNanos >= recoverAt);
    long lastTen = stopAt - TimeUnit.SECONDS.toNanos(10);
    String tail = okOf(records, s -> s.sentNanos >= lastTen && s.sentNanos < stopAt);

    String note = FaultSuite.join(startNote, String.format(Locale.ROOT, "recovery at %+.1f s",
        (recoverAt - faultAt) / 1e9));
    long[] firstTokens = records.stream().filter(s -> s.burst && s.firstTokenNanos > 0)
        .mapToLong(s -> s.firstTokenNanos - faultAt).sorted().toArray();
    if (firstTokens.length > 0) {
      note = FaultSuite.join(note, String.format(Locale.ROOT, "burst's first tokens %+.1f..%+.1f s",
          firstTokens[0] / 1e9, firstTokens[firstTokens.length - 1] / 1e9));
    }
    long[] ttfts = records.stream().filter(during.and(s -> s.outcome == Outcome.OK))
        .mapToLong(s -> s.firstTokenNanos - s.sentNanos).sorted().toArray();
    if (ttfts.length > 0) {
      note = FaultSuite.join(note, String.format(Locale.ROOT, "TTFT of those sent during the fault: p50"
          + " %.2f s, max %.2f s", ttfts[ttfts.length / 2] / 1e9, ttfts[ttfts.length - 1] / 1e9));
    }
    List<String> examples = new ArrayList<>();
    for (Outcome outcome : Outcome.values()) {
      if (outcome == Outcome.OK) {
        continue;
      }
      List<Stream> some = records.stream().filter(s -> s.outcome == outcome).toList();
      if (some.isEmpty()) {
        continue;
      }
      // Distinct details (numbers blanked), each with its count and when its streams were sent.
      Map<String, List<Stream>> byDetail = new LinkedHashMap<>();
      for (Stream stream : some) {
        byDetail.computeIfAbsent(stream.detail.replaceAll("[0-9]+", "N"), k -> new ArrayList<>())
            .add(stream);
      }
      examples.add(outcome.label + " (" + some.size() + "):");
      byDetail.values().stream().limit(4).forEach(group -> {
        Stream first = group.get(0);
        double from = (first.sentNanos - faultAt) / 1e9;
        double to = (group.get(group.size() - 1).sentNanos - faultAt) / 1e9;
        // A waiting@fault stream that failed after a token: when that token arrived.
        String tokenTimes = group.stream()
            .filter(waitingAtFault.and(st -> st.firstTokenNanos > 0))
            .map(st -> String.format(Locale.ROOT, "%+.3f", (st.firstTokenNanos - faultAt) / 1e9))
            .toList().toString();
        long waitingCount = group.stream().filter(waitingAtFault).count();
        examples.add(String.format(Locale.ROOT, "  %d sent %+.1f..%+.1f s from the fault"
            + " (%d waiting@fault%s): %s", group.size(), from, to, waitingCount,
            tokenTimes.equals("[]") ? "" : ", their first token at " + tokenTimes + " s",
            first.detail));
      });
    }
    return new Result(fault, mode, Tally.of(records), streaming, waiting, burst, duringOk,
        after, tail, retries, note, examples);
  }

  private static String okOf(List<Stream> records, Predicate<Stream> group) {
    List<Stream> members = records.stream().filter(group).toList();
    long ok = members.stream().filter(s -> s.outcome == Outcome.OK).count();
    return ok + "/" + members.size();
  }

  private static final String HEADER = String.format(Locale.ROOT,
      "%-15s %-4s %6s %6s %9s %-12s %4s %9s %11s %10s %7s | %15s %13s %7s %9s %9s %9s",
      "case", "mode", "total", "ok", "err-event", "http", "hung", "truncated", "conn-failed",
      "bad-tokens", "retries", "streaming@fault", "waiting@fault", "burst", "during", "after",
      "last-10s");

  static String row(Result r) {
    Tally t = r.all();
    return String.format(Locale.ROOT,
        "%-15s %-4s %6d %6d %9d %-12s %4d %9d %11d %10d %7d | %15s %13s %7s %9s %9s %9s",
        r.fault(), r.mode(), t.total, t.get(Outcome.OK), t.get(Outcome.ERROR_EVENT), t.http(),
        t.get(Outcome.HUNG), t.get(Outcome.TRUNCATED), t.get(Outcome.CONN_FAILED),
        t.get(Outcome.BAD_TOKENS), r.retries(), r.streamingAtFault(), r.waitingAtFault(),
        r.burst(), r.during(), r.after(), r.lastTen());
  }

  static void print(List<Result> results) {
    System.out.println(HEADER);
    for (Result result : results) {
      System.out.println(row(result));
    }
    System.out.println();
    System.out.println("Groups (ok/streams): streaming@fault = had a token when the fault hit;"
        + " waiting@fault = sent, no token yet (the burst among them): ok here = retried"
        + " successfully; during = sent between the fault and the recovery; after = sent after"
        + " the recovery; last-10s = sent in the load's last 10 s. hung = no byte for 60 s or"
        + " open when the case ended; truncated = ended without [DONE]; conn-failed = no"
        + " response (refused or reset); retries = the gateway's request_retry_total.");
    for (Result result : results) {
      if (!result.note().isEmpty() || !result.examples().isEmpty()) {
        System.out.println(result.fault() + " / " + result.mode() + ":"
            + (result.note().isEmpty() ? "" : " " + result.note()));
        for (String example : result.examples()) {
          System.out.println("  " + example);
        }
      }
    }
  }
}
